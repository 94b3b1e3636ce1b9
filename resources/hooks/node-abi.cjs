// better-sqlite3 is a native addon built for one ABI. electron-builder rebuilds it in place,
// in the project's node_modules, for Electron; the CLI and the tests need the Node build. So
// packaging keeps a copy of the Node build and puts it back once the app is packed.
const { copyFileSync, existsSync, mkdirSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..', '..');
const addon = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const saved = join(root, '.tmp', 'node-abi', 'better_sqlite3.node');

exports.saveNodeBuild = function saveNodeBuild() {
  if (!existsSync(addon)) return;
  mkdirSync(dirname(saved), { recursive: true });
  copyFileSync(addon, saved);
};

exports.restoreNodeBuild = function restoreNodeBuild() {
  if (existsSync(saved)) copyFileSync(saved, addon);
};
