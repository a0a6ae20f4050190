// The "CloudTrail Findings" tree view: rule -> file -> record, for every scanned file. The tree is
// rebuilt from the Results model (findingsTree.ts) at most a few times a second while a workspace
// scan streams results in, so a scan of thousands of files does not flood the view.

import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import { buildFindingsTree, childrenOf, type RuleNode, type TreeNode } from './findingsTree';
import type { Results } from './results';

export const FINDINGS_VIEW = 'cloudtrailHunter.findings';

const REFRESH_DELAY_MS = 250;

const SEVERITY_ICON: Record<string, vscode.ThemeIcon> = {
  critical: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  high: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  medium: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  low: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
};

export class FindingsView implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RuleNode[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly view: vscode.TreeView<TreeNode>;
  private readonly subscriptions: vscode.Disposable[] = [];

  /** `stale`: whether the rules changed after the workspace scan that produced the listed results. */
  constructor(private readonly results: Results, private readonly stale: () => boolean) {
    this.view = vscode.window.createTreeView(FINDINGS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(this.view, results.onDidChange(() => this.schedule()));
  }

  /** The tree's nodes (rules at the root), built on demand from the current results. */
  nodes(): RuleNode[] {
    if (!this.roots) {
      this.roots = buildFindingsTree(this.results.treeEntries());
      this.decorate(this.roots);
    }
    return this.roots;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return [...childrenOf(this.nodes(), node)];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    // Labels are plain text (never Markdown): log values cannot become links here.
    switch (node.kind) {
      case 'rule': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.description;
        item.iconPath = SEVERITY_ICON[node.severity];
        item.tooltip = node.tooltip;
        item.contextValue = 'rule';
        return withId(item, node);
      }
      case 'file': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.description;
        item.iconPath = vscode.ThemeIcon.File;
        item.resourceUri = vscode.Uri.parse(node.uri, true);
        item.tooltip = node.tooltip;
        item.contextValue = 'file';
        return withId(item, node);
      }
      case 'record': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon('symbol-event');
        item.contextValue = 'record';
        item.command = { title: 'Open Finding', command: COMMANDS.openFinding, arguments: [node] };
        return withId(item, node);
      }
      case 'more': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        return withId(item, node);
      }
    }
  }

  /**
   * The results changed: the next look at the tree rebuilds it, and VS Code is told soon, once for
   * any number of changes.
   */
  schedule(): void {
    this.roots = undefined;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(undefined);
      // The badge and message are set now rather than when VS Code next asks for the (possibly hidden) tree.
      this.nodes();
    }, REFRESH_DELAY_MS);
  }

  private decorate(roots: readonly RuleNode[]): void {
    const total = roots.reduce((n, r) => n + r.findings, 0);
    this.view.badge = total > 0 ? { value: total, tooltip: `${total.toLocaleString('en-US')} CloudTrail finding${total === 1 ? '' : 's'}` } : undefined;
    this.view.message = this.stale() ? 'The rules changed after the workspace scan: refresh to scan again.' : undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function withId(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
  item.id = node.id;
  return item;
}
