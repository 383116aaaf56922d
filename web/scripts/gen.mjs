// The TypeScript client, generated from protos/ (never written by hand): protoc from the
// project's virtual environment (grpc_tools) with the protoc-gen-es plugin.
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

const web = resolve(import.meta.dirname, "..");
const protos = resolve(web, "../protos");
const python = process.env.PYTHON || resolve(web, "../.venv/bin/python");
const out = resolve(web, "src/gen");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = readdirSync(resolve(protos, "hall/v1")).filter((f) => f.endsWith(".proto"))
  .map((f) => `hall/v1/${f}`);
execFileSync(python, ["-m", "grpc_tools.protoc", `-I${protos}`,
  `--plugin=protoc-gen-es=${resolve(web, "node_modules/.bin/protoc-gen-es")}`,
  `--es_out=${out}`, "--es_opt=target=ts", ...files], { stdio: "inherit", cwd: protos });
console.log(`generated ${files.length} files into src/gen`);
