// Command ids, shared by package.json contributions, the hover's command links, the findings tree
// and the webview.

export const COMMANDS = {
  scan: 'cloudtrailHunter.scan',
  showGuide: 'cloudtrailHunter.showGuide',
  clear: 'cloudtrailHunter.clear',
  revealRecord: 'cloudtrailHunter.revealRecord',
  scanWorkspace: 'cloudtrailHunter.scanWorkspace',
  openDecompressed: 'cloudtrailHunter.openDecompressed',
  openFinding: 'cloudtrailHunter.openFinding',
} as const;
