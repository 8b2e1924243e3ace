// Loads one pinned AWS SDK v3 client from tests/clients/node_modules (only that copy counts,
// never one found further up the tree), or exits 77 (ctest's skip) saying what is missing.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const modules = new URL("../../clients/node_modules/", import.meta.url);

export async function loadSdk(name) {
  return loadPackage(`@aws-sdk/${name}`);
}

// Any package of the pinned tree (e.g. @smithy/node-http-handler), on the same terms.
export async function loadPackage(pkg) {
  if (Number(process.versions.node.split(".")[0]) < 18) {
    console.log(`SKIP: node ${process.versions.node} is older than the SDK's minimum, 18`);
    process.exit(77);
  }
  if (!existsSync(new URL(`${pkg}/package.json`, modules))) {
    console.log("SKIP: tests/clients/node_modules is missing (npm ci --prefix tests/clients)");
    process.exit(77);
  }
  const require = createRequire(new URL("../package.json", modules));
  return require(pkg);
}

// A failed assertion or SDK error ends the scenario with a FAIL line and status 1.
process.on("unhandledRejection", (e) => {
  console.log(`FAIL: ${e?.name}: ${e?.message}`);
  process.exit(1);
});
