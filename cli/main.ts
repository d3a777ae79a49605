/** Entry point of the `jobboard` command (`npm run jobboard -- …`, `npx jobboard …`). */
import { run } from './run.js';

// `jobboard list | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
