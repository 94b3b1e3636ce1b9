// electron-builder `beforeBuild`: runs before it rebuilds native modules for Electron.
const { saveNodeBuild } = require('./node-abi.cjs');

module.exports = async function beforeBuild() {
  saveNodeBuild();
  return true; // go on with the rebuild for Electron
};
