// How many cores this process may use, for sizing worker and thread pools. Node before 18.14 (and
// older Electrons) lack os.availableParallelism.

import * as os from 'node:os';

export function coreCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
