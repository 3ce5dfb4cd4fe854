import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './processes';

/** A git ref checked out beside this tree, for an A/B run; `remove()` takes it away again. */
export interface RefTree {
  /** The ref as given (`HEAD~1`, a branch, a commit). */
  ref: string;
  /** Its commit, short. */
  sha: string;
  /** The checkout's root: REF's files, with this tree's node_modules. */
  root: string;
  remove(): void;
}

const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();

/**
 * Checks `ref` out in a temporary git worktree that shares this tree's node_modules (so both run
 * with the same libraries). Call `remove()` in a `finally`: the worktree is registered in this
 * repository until it is removed.
 */
export function checkOutRef(ref: string): RefTree {
  const sha = git('rev-parse', '--short', `${ref}^{commit}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-ab-'));
  git('worktree', 'add', '--detach', root, sha);
  const remove = () => git('worktree', 'remove', '--force', root);
  try {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  } catch (err) {
    remove();
    throw err;
  }
  return { ref, sha, root, remove };
}
