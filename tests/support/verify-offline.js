// Independent (sigstore-js) offline verifier for a Sigstore bundle, for karsgit's tests.
// usage: node verify-offline.js BUNDLE ARTIFACT TRUSTED_ROOT --san S --issuer I
//        node verify-offline.js BUNDLE ARTIFACT TRUSTED_ROOT --key PUB.pem --no-tlog
// Prints "sigstore-js: VERIFIED ..." and exits 0, or "sigstore-js: REJECTED ..." and exits 1.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { createRequire } = require('module');

// the pinned packages live in tests/support/node (npm install --prefix tests/support/node)
const nodeRequire = createRequire(path.join(__dirname, 'node', 'package.json'));
const { bundleFromJSON } = nodeRequire('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = nodeRequire('@sigstore/verify');
const { TrustedRoot } = nodeRequire('@sigstore/protobuf-specs');

function parseArgs(argv) {
  const [bundlePath, artifactPath, rootPath, ...rest] = argv;
  const opt = { bundlePath, artifactPath, rootPath };
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--no-tlog') opt.noTlog = true;
    else opt[rest[i].replace(/^--/, '')] = rest[++i];
  }
  return opt;
}

function main() {
  const opt = parseArgs(process.argv.slice(2));
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(opt.rootPath, 'utf8')));
  let keys;
  if (opt.key) {
    // key bundles name their key only by hint; the caller's key is the trust anchor
    const publicKey = crypto.createPublicKey(fs.readFileSync(opt.key, 'utf8'));
    keys = () => ({ publicKey, validFor: () => true });
  }
  const thresholds = opt.noTlog ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {};
  const verifier = new Verifier(toTrustMaterial(root, keys), thresholds);
  const policy = opt.san ? { subjectAlternativeName: opt.san, extensions: { issuer: opt.issuer } } : undefined;
  try {
    const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(opt.bundlePath, 'utf8')));
    const signer = verifier.verify(toSignedEntity(bundle, fs.readFileSync(opt.artifactPath)), policy);
    const id = signer.identity;
    const who = id ? { san: id.subjectAlternativeName, issuer: id.extensions && id.extensions.issuer } : { key: 'public-key' };
    console.log('sigstore-js: VERIFIED', JSON.stringify(who));
  } catch (e) {
    console.log('sigstore-js: REJECTED', e.code || '', e.message);
    process.exit(1);
  }
}

main();
