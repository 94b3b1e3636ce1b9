// electron-builder `afterPack`: the app (with its Electron build of better-sqlite3) is packed;
// the project's node_modules gets its Node build back for the CLI and the tests.
const { restoreNodeBuild } = require('./node-abi.cjs');

module.exports = async function afterPack() {
  restoreNodeBuild();
};
