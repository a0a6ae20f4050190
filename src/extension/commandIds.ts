// Command ids, shared by package.json contributions, the hover's command links and the webview.

export const COMMANDS = {
  scan: 'cloudtrailHunter.scan',
  showGuide: 'cloudtrailHunter.showGuide',
  clear: 'cloudtrailHunter.clear',
  revealRecord: 'cloudtrailHunter.revealRecord',
} as const;
