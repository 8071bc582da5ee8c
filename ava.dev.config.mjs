// Development runs of one area's tests from a private output directory:
//   npx tsc -p . --outDir .out/NAME && npx ava --config ava.dev.config.mjs .out/NAME/test/AREA/
export default {
  files: ['.out/*/test/**/*.test.js'],
  workerThreads: false,
  timeout: '5m',
};
