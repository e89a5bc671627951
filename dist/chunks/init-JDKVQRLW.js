import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  validate
} from "./chunk-VBM2CK5B.js";
import "./chunk-TY4SYINN.js";
import {
  require_dist
} from "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  PlanError,
  RefusedError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-ZJTQKECG.js";

// node_modules/dotenv/lib/main.js
var require_main = __commonJS({
  "node_modules/dotenv/lib/main.js"(exports, module) {
    var fs = __require("fs");
    var path = __require("path");
    var os = __require("os");
    var crypto = __require("crypto");
    var TIPS = [
      "\u25C8 encrypted .env [www.dotenvx.com]",
      "\u25C8 secrets for agents [www.dotenvx.com]",
      "\u2301 auth for agents [www.vestauth.com]",
      "\u2318 custom filepath { path: '/custom/path/.env' }",
      "\u2318 enable debugging { debug: true }",
      "\u2318 override existing { override: true }",
      "\u2318 suppress logs { quiet: true }",
      "\u2318 multiple files { path: ['.env.local', '.env'] }"
    ];
    function _getRandomTip() {
      return TIPS[Math.floor(Math.random() * TIPS.length)];
    }
    function parseBoolean(value) {
      if (typeof value === "string") {
        return !["false", "0", "no", "off", ""].includes(value.toLowerCase());
      }
      return Boolean(value);
    }
    function supportsAnsi() {
      return process.stdout.isTTY;
    }
    function dim(text) {
      return supportsAnsi() ? `\x1B[2m${text}\x1B[0m` : text;
    }
    var LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg;
    function parse2(src) {
      const obj = {};
      let lines = src.toString();
      lines = lines.replace(/\r\n?/mg, "\n");
      let match;
      while ((match = LINE.exec(lines)) != null) {
        const key = match[1];
        let value = match[2] || "";
        value = value.trim();
        const maybeQuote = value[0];
        value = value.replace(/^(['"`])([\s\S]*)\1$/mg, "$2");
        if (maybeQuote === '"') {
          value = value.replace(/\\n/g, "\n");
          value = value.replace(/\\r/g, "\r");
        }
        obj[key] = value;
      }
      return obj;
    }
    function _parseVault(options) {
      options = options || {};
      const vaultPath = _vaultPath(options);
      options.path = vaultPath;
      const result = DotenvModule.configDotenv(options);
      if (!result.parsed) {
        const err = new Error(`MISSING_DATA: Cannot parse ${vaultPath} for an unknown reason`);
        err.code = "MISSING_DATA";
        throw err;
      }
      const keys = _dotenvKey(options).split(",");
      const length = keys.length;
      let decrypted;
      for (let i = 0; i < length; i++) {
        try {
          const key = keys[i].trim();
          const attrs = _instructions(result, key);
          decrypted = DotenvModule.decrypt(attrs.ciphertext, attrs.key);
          break;
        } catch (error) {
          if (i + 1 >= length) {
            throw error;
          }
        }
      }
      return DotenvModule.parse(decrypted);
    }
    function _warn(message) {
      console.error(`\u26A0 ${message}`);
    }
    function _debug(message) {
      console.log(`\u2506 ${message}`);
    }
    function _log(message) {
      console.log(`\u25C7 ${message}`);
    }
    function _dotenvKey(options) {
      if (options && options.DOTENV_KEY && options.DOTENV_KEY.length > 0) {
        return options.DOTENV_KEY;
      }
      if (process.env.DOTENV_KEY && process.env.DOTENV_KEY.length > 0) {
        return process.env.DOTENV_KEY;
      }
      return "";
    }
    function _instructions(result, dotenvKey) {
      let uri;
      try {
        uri = new URL(dotenvKey);
      } catch (error) {
        if (error.code === "ERR_INVALID_URL") {
          const err = new Error("INVALID_DOTENV_KEY: Wrong format. Must be in valid uri format like dotenv://:key_1234@dotenvx.com/vault/.env.vault?environment=development");
          err.code = "INVALID_DOTENV_KEY";
          throw err;
        }
        throw error;
      }
      const key = uri.password;
      if (!key) {
        const err = new Error("INVALID_DOTENV_KEY: Missing key part");
        err.code = "INVALID_DOTENV_KEY";
        throw err;
      }
      const environment = uri.searchParams.get("environment");
      if (!environment) {
        const err = new Error("INVALID_DOTENV_KEY: Missing environment part");
        err.code = "INVALID_DOTENV_KEY";
        throw err;
      }
      const environmentKey = `DOTENV_VAULT_${environment.toUpperCase()}`;
      const ciphertext = result.parsed[environmentKey];
      if (!ciphertext) {
        const err = new Error(`NOT_FOUND_DOTENV_ENVIRONMENT: Cannot locate environment ${environmentKey} in your .env.vault file.`);
        err.code = "NOT_FOUND_DOTENV_ENVIRONMENT";
        throw err;
      }
      return { ciphertext, key };
    }
    function _vaultPath(options) {
      let possibleVaultPath = null;
      if (options && options.path && options.path.length > 0) {
        if (Array.isArray(options.path)) {
          for (const filepath of options.path) {
            if (fs.existsSync(filepath)) {
              possibleVaultPath = filepath.endsWith(".vault") ? filepath : `${filepath}.vault`;
            }
          }
        } else {
          possibleVaultPath = options.path.endsWith(".vault") ? options.path : `${options.path}.vault`;
        }
      } else {
        possibleVaultPath = path.resolve(process.cwd(), ".env.vault");
      }
      if (fs.existsSync(possibleVaultPath)) {
        return possibleVaultPath;
      }
      return null;
    }
    function _resolveHome(envPath) {
      return envPath[0] === "~" ? path.join(os.homedir(), envPath.slice(1)) : envPath;
    }
    function _configVault(options) {
      const debug = parseBoolean(process.env.DOTENV_CONFIG_DEBUG || options && options.debug);
      const quiet = parseBoolean(process.env.DOTENV_CONFIG_QUIET || options && options.quiet);
      if (debug || !quiet) {
        _log("loading env from encrypted .env.vault");
      }
      const parsed = DotenvModule._parseVault(options);
      let processEnv = process.env;
      if (options && options.processEnv != null) {
        processEnv = options.processEnv;
      }
      DotenvModule.populate(processEnv, parsed, options);
      return { parsed };
    }
    function configDotenv(options) {
      const dotenvPath = path.resolve(process.cwd(), ".env");
      let encoding = "utf8";
      let processEnv = process.env;
      if (options && options.processEnv != null) {
        processEnv = options.processEnv;
      }
      let debug = parseBoolean(processEnv.DOTENV_CONFIG_DEBUG || options && options.debug);
      let quiet = parseBoolean(processEnv.DOTENV_CONFIG_QUIET || options && options.quiet);
      if (options && options.encoding) {
        encoding = options.encoding;
      } else {
        if (debug) {
          _debug("no encoding is specified (UTF-8 is used by default)");
        }
      }
      let optionPaths = [dotenvPath];
      if (options && options.path) {
        if (!Array.isArray(options.path)) {
          optionPaths = [_resolveHome(options.path)];
        } else {
          optionPaths = [];
          for (const filepath of options.path) {
            optionPaths.push(_resolveHome(filepath));
          }
        }
      }
      let lastError;
      const parsedAll = {};
      for (const path2 of optionPaths) {
        try {
          const parsed = DotenvModule.parse(fs.readFileSync(path2, { encoding }));
          DotenvModule.populate(parsedAll, parsed, options);
        } catch (e) {
          if (debug) {
            _debug(`failed to load ${path2} ${e.message}`);
          }
          lastError = e;
        }
      }
      const populated = DotenvModule.populate(processEnv, parsedAll, options);
      debug = parseBoolean(processEnv.DOTENV_CONFIG_DEBUG || debug);
      quiet = parseBoolean(processEnv.DOTENV_CONFIG_QUIET || quiet);
      if (debug || !quiet) {
        const keysCount = Object.keys(populated).length;
        const shortPaths = [];
        for (const filePath of optionPaths) {
          try {
            const relative = path.relative(process.cwd(), filePath);
            shortPaths.push(relative);
          } catch (e) {
            if (debug) {
              _debug(`failed to load ${filePath} ${e.message}`);
            }
            lastError = e;
          }
        }
        _log(`injected env (${keysCount}) from ${shortPaths.join(",")} ${dim(`// tip: ${_getRandomTip()}`)}`);
      }
      if (lastError) {
        return { parsed: parsedAll, error: lastError };
      } else {
        return { parsed: parsedAll };
      }
    }
    function config(options) {
      if (_dotenvKey(options).length === 0) {
        return DotenvModule.configDotenv(options);
      }
      const vaultPath = _vaultPath(options);
      if (!vaultPath) {
        _warn(`you set DOTENV_KEY but you are missing a .env.vault file at ${vaultPath}`);
        return DotenvModule.configDotenv(options);
      }
      return DotenvModule._configVault(options);
    }
    function decrypt(encrypted, keyStr) {
      const key = Buffer.from(keyStr.slice(-64), "hex");
      let ciphertext = Buffer.from(encrypted, "base64");
      const nonce = ciphertext.subarray(0, 12);
      const authTag = ciphertext.subarray(-16);
      ciphertext = ciphertext.subarray(12, -16);
      try {
        const aesgcm = crypto.createDecipheriv("aes-256-gcm", key, nonce);
        aesgcm.setAuthTag(authTag);
        return `${aesgcm.update(ciphertext)}${aesgcm.final()}`;
      } catch (error) {
        const isRange = error instanceof RangeError;
        const invalidKeyLength = error.message === "Invalid key length";
        const decryptionFailed = error.message === "Unsupported state or unable to authenticate data";
        if (isRange || invalidKeyLength) {
          const err = new Error("INVALID_DOTENV_KEY: It must be 64 characters long (or more)");
          err.code = "INVALID_DOTENV_KEY";
          throw err;
        } else if (decryptionFailed) {
          const err = new Error("DECRYPTION_FAILED: Please check your DOTENV_KEY");
          err.code = "DECRYPTION_FAILED";
          throw err;
        } else {
          throw error;
        }
      }
    }
    function populate(processEnv, parsed, options = {}) {
      const debug = Boolean(options && options.debug);
      const override = Boolean(options && options.override);
      const populated = {};
      if (typeof parsed !== "object") {
        const err = new Error("OBJECT_REQUIRED: Please check the processEnv argument being passed to populate");
        err.code = "OBJECT_REQUIRED";
        throw err;
      }
      for (const key of Object.keys(parsed)) {
        if (Object.prototype.hasOwnProperty.call(processEnv, key)) {
          if (override === true) {
            processEnv[key] = parsed[key];
            populated[key] = parsed[key];
          }
          if (debug) {
            if (override === true) {
              _debug(`"${key}" is already defined and WAS overwritten`);
            } else {
              _debug(`"${key}" is already defined and was NOT overwritten`);
            }
          }
        } else {
          processEnv[key] = parsed[key];
          populated[key] = parsed[key];
        }
      }
      return populated;
    }
    var DotenvModule = {
      configDotenv,
      _configVault,
      _parseVault,
      config,
      decrypt,
      parse: parse2,
      populate
    };
    module.exports.configDotenv = DotenvModule.configDotenv;
    module.exports._configVault = DotenvModule._configVault;
    module.exports._parseVault = DotenvModule._parseVault;
    module.exports.config = DotenvModule.config;
    module.exports.decrypt = DotenvModule.decrypt;
    module.exports.parse = DotenvModule.parse;
    module.exports.populate = DotenvModule.populate;
    module.exports = DotenvModule;
  }
});

// src/commands/init.ts
var import_yaml2 = __toESM(require_dist(), 1);
import { writeFile } from "node:fs/promises";
import { resolve as resolve2 } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";

// src/presets/compose.ts
var import_dotenv = __toESM(require_main(), 1);
var import_yaml = __toESM(require_dist(), 1);
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
var COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];
function interpolateCompose(text, env) {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)[-?]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, colon, fallback, bare) => {
    if (match === "$$") return "$";
    const value = env[braced ?? bare];
    if (fallback !== void 0 && (value === void 0 || colon === ":" && value === "")) return fallback;
    return value ?? "";
  });
}
function asRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
function environmentOf(value) {
  if (Array.isArray(value)) {
    return Object.fromEntries(value.map(String).map((line) => line.includes("=") ? [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] : [line, ""]));
  }
  return Object.fromEntries(Object.entries(asRecord(value)).map(([k, v]) => [k, v === null || v === void 0 ? "" : String(v)]));
}
function mountsOf(value, dir) {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    let source;
    let target;
    if (typeof entry === "string") {
      const parts = entry.split(":");
      if (parts.length < 2) return [];
      [source, target] = parts;
    } else {
      const long = asRecord(entry);
      source = typeof long.source === "string" ? long.source : void 0;
      target = typeof long.target === "string" ? long.target : void 0;
    }
    if (!source || !target) return [];
    const bind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
    return [{ source: bind ? resolve(dir, source.replace(/^~(?=\/)/, process.env.HOME ?? "~")) : source, target: target.replace(/\/+$/, "") || "/", volume: !bind }];
  });
}
function readAppFolder(dir, base = process.env) {
  const root = resolve(dir);
  if (!existsSync(root)) throw new UsageError(`The app folder ${root} does not exist.`, { hint: "Pass --path with the folder that holds the app (its docker-compose.yml and .env)." });
  const envFile = join(root, ".env");
  let dotenv = {};
  if (existsSync(envFile)) dotenv = (0, import_dotenv.parse)(readFileSync(envFile, "utf8"));
  const env = { ...Object.fromEntries(Object.entries(base).filter((e) => e[1] !== void 0)), ...dotenv };
  const composeFile = COMPOSE_FILES.map((f) => join(root, f)).find((f) => existsSync(f));
  if (!composeFile) return { dir: root, composeFile: void 0, env: dotenv, services: [] };
  let doc;
  try {
    doc = asRecord((0, import_yaml.parse)(interpolateCompose(readFileSync(composeFile, "utf8"), env)));
  } catch (error) {
    throw new UsageError(`Cannot read ${composeFile}: ${reason(error)}`, { hint: "Fix the file (docker compose config shows what compose makes of it), or answer the questions by flags." });
  }
  const project = typeof doc.name === "string" ? doc.name : (root.split("/").pop() ?? "app").toLowerCase().replace(/[^a-z0-9_-]/g, "");
  const services = Object.entries(asRecord(doc.services)).map(([name, value]) => {
    const s = asRecord(value);
    return {
      name,
      container: typeof s.container_name === "string" ? s.container_name : `${project}-${name}-1`,
      image: typeof s.image === "string" ? s.image : "",
      mounts: mountsOf(s.volumes, root),
      environment: environmentOf(s.environment)
    };
  });
  return { dir: root, composeFile, env: dotenv, services };
}
function serviceByImage(app, pattern) {
  return app.services.find((s) => pattern.test(s.image));
}
function hostPathOf(service, target) {
  const mount = service?.mounts.find((m) => m.target === target.replace(/\/+$/, ""));
  return mount && !mount.volume ? mount.source : void 0;
}
function inApp(app, value) {
  return isAbsolute(value) ? value : resolve(app.dir, value);
}

// src/presets/preset.ts
function yamlValue(value) {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
  return JSON.stringify(value);
}
function argvOf(answer) {
  return answer.split(/\s+/).filter(Boolean);
}
var isNo = (answer) => answer === void 0 || /^(no|n|none|false|off|-)$/i.test(answer.trim());

// src/presets/blocks.ts
function commonQuestions(name, appContainer) {
  return [
    { key: "name", ask: "Name of the plan (names the folder on every target)", suggest: () => name },
    { key: "target", ask: "Folder for the first backup copy (add more targets later)", suggest: () => `/var/backups/restorable` },
    { key: "app-container", ask: 'The app container to stop during a restore ("no": no hooks)', suggest: (app) => appContainer(app) }
  ];
}
function postgresQuestions(defaults, when) {
  const only = when ? { when } : {};
  return [
    { key: "db-exec", ask: 'Run pg_dump and pg_restore through ("no": connect from here)', suggest: (app) => `docker exec -i ${defaults.container(app)}`, ...only },
    { key: "db-host", ask: "Database host or socket folder, as seen where the tools run (empty: the local socket)", suggest: () => "", ...only },
    { key: "db-port", ask: "Database port (empty: 5432)", suggest: () => "", ...only },
    { key: "db-user", ask: "Database user", suggest: defaults.user, ...only },
    { key: "db-name", ask: "Database name", suggest: defaults.database, ...only }
  ];
}
function targetBlock(a) {
  return `targets:
  # One copy to start with. A backup is only safe with more: add a second disk and an offsite
  # target (s3, sftp; see the README, "Targets"), then set policy.rule to 3-2-1.
  - {name: local, type: local, path: ${yamlValue(a.target)}}
policy:
  rule: {copies: 1, media: 1, offsite: 0}   # TODO: 3-2-1 once the targets above are added
retention: {keep_daily: 7, keep_weekly: 4, keep_monthly: 6}
`;
}
function postgresSource(a, name, extra) {
  const exec = isNo(a["db-exec"]) ? [] : argvOf(a["db-exec"]);
  const lines = [`  - name: ${name}`, "    type: postgres"];
  if (exec.length > 0) {
    lines.push(
      "    # pg_dump, pg_restore and psql run inside the database container, so the client matches the",
      "    # server (and its extensions) and no port needs exposing. The official postgres image trusts its",
      "    # local socket; with a password, add -e PGPASSWORD before the container name and export PGPASSWORD.",
      `    exec: ${yamlValue(exec)}`
    );
  } else lines.push("    # The password comes from PGPASSWORD in the environment, never from this file.");
  if (a["db-host"]) lines.push(`    host: ${yamlValue(a["db-host"])}`);
  if (a["db-port"]) lines.push(`    port: ${Number(a["db-port"])}`);
  lines.push(`    user: ${yamlValue(a["db-user"])}`, `    database: ${yamlValue(a["db-name"])}`);
  return `${lines.join("\n")}
${extra}`;
}
function restoreHooks(a, why) {
  if (isNo(a["app-container"])) return "# hooks: none (init --app-container no). Stop the app around restores yourself.\n";
  const c = a["app-container"];
  return `hooks:
  # ${why}
  pre_restore: [{command: ${yamlValue(["docker", "stop", c])}}]
  post_restore: [{command: ${yamlValue(["docker", "start", c])}}]
`;
}
function containerOf(pattern, fallback) {
  return (app) => serviceByImage(app, pattern)?.container ?? fallback;
}
function mountedAt(pattern, target, fallback) {
  return (app) => hostPathOf(serviceByImage(app, pattern), target) ?? `${app.dir}/${fallback}`;
}
function header(title, preset, docs, notes) {
  return [
    `# restorable plan for ${title}, written by \`restorable init --preset ${preset}\`.`,
    "# It is an ordinary plan and yours now: edit it freely. restorable reads only this file.",
    `# ${title}'s own backup documentation:`,
    ...docs.map((d) => `#   ${d}`),
    ...notes.map((n) => `# ${n}`),
    "version: 1"
  ].join("\n");
}

// src/presets/gamevault.ts
var IMAGE = /gamevault-backend/;
var usesPostgres = (a) => a.engine === "postgres";
var gamevault = {
  name: "gamevault",
  title: "GameVault",
  docs: ["https://gamevau.lt/docs/server-docs/backup-and-restore", "https://gamevau.lt/docs/server-docs/configuration"],
  questions: [
    ...commonQuestions("gamevault", containerOf(IMAGE, "gamevault-backend")),
    { key: "engine", ask: "Database engine", choices: ["postgres", "sqlite"], suggest: (app) => (serviceByImage(app, IMAGE)?.environment.DB_SYSTEM ?? app.env.DB_SYSTEM ?? "POSTGRESQL").toUpperCase() === "SQLITE" ? "sqlite" : "postgres" },
    { key: "media", ask: "The media folder (mounted at /media)", suggest: mountedAt(IMAGE, "/media", "media") },
    { key: "sqlite-file", ask: "The SQLite database file (in the folder mounted at /db)", suggest: (app) => `${mountedAt(IMAGE, "/db", "db")(app)}/database.sqlite`, when: (a) => !usesPostgres(a) },
    ...postgresQuestions(
      {
        container: containerOf(/^postgres|\/postgres/, "gamevault-db"),
        user: (app) => serviceByImage(app, IMAGE)?.environment.DB_USERNAME ?? "gamevault",
        database: (app) => serviceByImage(app, IMAGE)?.environment.DB_DATABASE ?? "gamevault"
      },
      usesPostgres
    ),
    { key: "app-url", ask: 'GameVault URL for the version and the health check ("no": none)', suggest: () => "http://localhost:8080" }
  ],
  render(a) {
    const url = isNo(a["app-url"]) ? void 0 : a["app-url"].replace(/\/+$/, "");
    const db = usesPostgres(a) ? postgresSource(a, "db", "") : `  - name: db
    type: sqlite
    path: ${yamlValue(a["sqlite-file"])}
`;
    return `${header("GameVault", "gamevault", this.docs, [
      `Engine: ${a.engine}. Never restore a backup onto the other engine: restorable refuses an artifact`,
      "of another source type, and the version below refuses another GameVault version.",
      "Your games folder (/files) is your own library: back it up separately, or add a files source."
    ])}
name: ${yamlValue(a.name)}
${url ? `app:
  # /api/status answers {"status": ..., "version": ...}.
  version_from: {http: {url: ${yamlValue(`${url}/api/status`)}, json: version}}
` : ""}sources:
${db}  - name: media
    type: files
    path: ${yamlValue(a.media)}
    after: [db]
${targetBlock(a)}restore:
  healthchecks:
    - {name: users, source: db, sql: "select count(*) from gamevault_user", expect: {min: 1}}
${url ? `    - {name: status, http: {url: ${yamlValue(`${url}/api/status`)}}, retries: 30, interval: 2s}
` : ""}${restoreHooks(a, "GameVault must not write while its database is swapped.")}`;
  },
  todo: (a) => [
    ...usesPostgres(a) && isNo(a["db-exec"]) ? ["export PGPASSWORD (DB_PASSWORD) wherever restorable runs"] : [],
    "add a second and an offsite target, then set policy.rule: 3-2-1"
  ]
};

// src/presets/immich.ts
var SERVER = /immich-server/;
var DB = /postgres|vectorchord|pgvecto/;
function mediaMount(app) {
  const server = serviceByImage(app, SERVER);
  return ["/data", "/usr/src/app/upload"].find((t) => hostPathOf(server, t)) ?? "/data";
}
var immich = {
  name: "immich",
  title: "Immich",
  docs: ["https://immich.app/docs/administration/backup-and-restore", "https://immich.app/docs/install/environment-variables"],
  questions: [
    ...commonQuestions("immich", containerOf(SERVER, "immich_server")),
    { key: "upload-location", ask: "UPLOAD_LOCATION (the media folder on this machine)", suggest: (app) => app.env.UPLOAD_LOCATION ? inApp(app, app.env.UPLOAD_LOCATION) : mountedAt(SERVER, mediaMount(app), "library")(app) },
    { key: "media-mount", ask: "Where the Immich server sees that folder (paths in the database start with it)", suggest: mediaMount },
    ...postgresQuestions({ container: containerOf(DB, "immich_postgres"), user: (app) => app.env.DB_USERNAME ?? "postgres", database: (app) => app.env.DB_DATABASE_NAME ?? "immich" }),
    { key: "app-url", ask: 'Immich URL for the version and the health check ("no": none)', suggest: () => "http://localhost:2283" }
  ],
  render(a) {
    const url = isNo(a["app-url"]) ? void 0 : a["app-url"].replace(/\/+$/, "");
    return `${header("Immich", "immich", this.docs, [
      "The database is dumped first, then the media folder: every asset row then has its file.",
      "DB_DATA_LOCATION (the raw PostgreSQL folder) is not copied: a dump of it is the backup."
    ])}
name: ${yamlValue(a.name)}
${url ? `app:
  # Immich answers {"major":1,"minor":...,"patch":...} at /api/server/version; a backup fails while
  # Immich is down (each backup is tagged with the version it was made of).
  version_from: {http: {url: ${yamlValue(`${url}/api/server/version`)}, json: [major, minor, patch]}}
` : "# app: no version source (init --app-url no); restores then cannot refuse a backup of another Immich version.\n"}sources:
${postgresSource(a, "db", `    # The newest migration: a restore refuses a backup of another schema unless told to.
    schema_version: {sql: "select name from kysely_migrations order by name desc limit 1"}
`)}  - name: media
    type: files
    path: ${yamlValue(a["upload-location"])}
    after: [db]
    # library/ and upload/ hold the originals, profile/ the avatars, backups/ Immich's own nightly dumps.
    # thumbs/ and encoded-video/ are generated: Administration > Jobs > Generate Thumbnails and
    # Transcode Videos (missing) rebuild them after a restore.
    exclude: ["thumbs/**", "encoded-video/**"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: users, source: db, sql: 'select count(*) from "user"', expect: {min: 1}}
    # Every original the database names came back (external libraries live elsewhere: left out).
    # The table is "asset" since Immich 1.137 ("assets" before: change the name for older versions).
    - name: originals-present
      source: db
      sql: 'select "originalPath" from asset where "libraryId" is null'
      expect: {files_exist: {in: media, strip_prefix: ${yamlValue(a["media-mount"])}}}
${url ? `    - {name: ping, http: {url: ${yamlValue(`${url}/api/server/ping`)}, contains: pong}, retries: 30, interval: 2s}
` : ""}${restoreHooks(a, "Immich must not write while its database and files are swapped (its guide stops immich-server).")}`;
  },
  todo: (a) => [
    ...isNo(a["db-exec"]) ? ["export PGPASSWORD (DB_PASSWORD in Immich's .env) wherever restorable runs"] : [],
    "add a second and an offsite target, then set policy.rule: 3-2-1",
    'consider encryption: age_recipients (see the README, "Encryption")'
  ]
};

// src/presets/paperless.ts
var IMAGE2 = /paperless-ngx/;
var usesPostgres2 = (a) => a.engine === "postgres";
var paperless = {
  name: "paperless",
  title: "Paperless-ngx",
  docs: ["https://docs.paperless-ngx.com/administration/#backup", "https://docs.paperless-ngx.com/administration/#exporter"],
  questions: [
    ...commonQuestions("paperless", containerOf(IMAGE2, "paperless")),
    { key: "engine", ask: "Database engine", choices: ["postgres", "sqlite"], suggest: (app) => serviceByImage(app, IMAGE2)?.environment.PAPERLESS_DBHOST || app.env.PAPERLESS_DBHOST ? "postgres" : "sqlite" },
    { key: "data", ask: "The data folder (mounted at /usr/src/paperless/data)", suggest: mountedAt(IMAGE2, "/usr/src/paperless/data", "data") },
    { key: "media", ask: "The media folder (mounted at /usr/src/paperless/media)", suggest: mountedAt(IMAGE2, "/usr/src/paperless/media", "media") },
    ...postgresQuestions(
      {
        container: containerOf(/^postgres|\/postgres/, "paperless-db"),
        user: (app) => serviceByImage(app, IMAGE2)?.environment.PAPERLESS_DBUSER ?? "paperless",
        database: (app) => serviceByImage(app, IMAGE2)?.environment.PAPERLESS_DBNAME ?? "paperless"
      },
      usesPostgres2
    )
  ],
  render(a) {
    const data = a.data.replace(/\/+$/, "");
    const db = usesPostgres2(a) ? postgresSource(a, "db", '    schema_version: {sql: "select count(*) from django_migrations"}\n') : `  - name: db
    type: sqlite
    path: ${yamlValue(`${data}/db.sqlite3`)}
    schema_version: {sql: "select count(*) from django_migrations"}
`;
    return `${header("Paperless-ngx", "paperless", this.docs, [
      `Engine: ${a.engine}. A restore must go onto the same Paperless version: the schema_version`,
      "below (the applied Django migrations) makes restorable refuse a backup of another one."
    ])}
name: ${yamlValue(a.name)}
sources:
${db}  - name: media
    type: files
    path: ${yamlValue(a.media)}
    after: [db]
    # documents/originals and documents/archive are the documents. Thumbnails can be rebuilt
    # (document_thumbnails), but are small; they are kept.
  - name: data
    type: files
    path: ${yamlValue(data)}
    after: [db]
    # index/ (the search index) rebuilds with document_index reindex; celerybeat state is runtime.
    exclude: ["index/**", "celerybeat-schedule*", "db.sqlite3*", "*.lock"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: migrated, source: db, sql: "select count(*) from django_migrations", expect: {min: 1}}
    # filename is relative to media/documents/originals.
    - {name: originals-present, source: db, sql: "select 'documents/originals/' || filename from documents_document where filename is not null", expect: {files_exist: {in: media}}}
${restoreHooks(a, "Paperless (its consumer and workers) must not write while the database and files are swapped.")}`;
  },
  todo: (a) => [
    ...usesPostgres2(a) && a["db-exec"] === "no" ? ["export PGPASSWORD (PAPERLESS_DBPASS) wherever restorable runs"] : [],
    "add a second and an offsite target, then set policy.rule: 3-2-1",
    "app.version: set it to the Paperless-ngx image tag you run (restores must match it)"
  ]
};

// src/presets/stash.ts
var IMAGE3 = /stashapp\/stash/;
var stash = {
  name: "stash",
  title: "Stash",
  docs: ["https://docs.stashapp.cc/in-app-manual/tasks/#backup", "https://docs.stashapp.cc/in-app-manual/configuration/"],
  questions: [
    ...commonQuestions("stash", containerOf(IMAGE3, "stash")),
    { key: "config", ask: "The config folder holding stash-go.sqlite (mounted at /root/.stash)", suggest: mountedAt(IMAGE3, "/root/.stash", "config") },
    { key: "blobs", ask: 'The blobs folder, when binary data is on the filesystem ("no": kept in the database)', suggest: mountedAt(IMAGE3, "/blobs", "blobs") }
  ],
  render(a) {
    const blobs = !isNo(a.blobs);
    return `${header("Stash", "stash", this.docs, [
      "generated/ and cache/ are not backed up: Tasks > Generate rebuilds them. Your media library is",
      "your own files: back it up separately, or add a files source for it."
    ])}
name: ${yamlValue(a.name)}
sources:
  - name: db
    type: sqlite
    # A WAL database: restorable snapshots it with SQLite's backup API, never by copying the file.
    path: ${yamlValue(`${a.config.replace(/\/+$/, "")}/stash-go.sqlite`)}
    # golang-migrate's table: the schema a restore must match.
    schema_version: {sql: "select version from schema_migrations"}
${blobs ? `  - name: blobs
    type: files
    path: ${yamlValue(a.blobs)}
` : ""}${targetBlock(a)}restore:
  healthchecks:
    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: clean-migration, source: db, sql: "select dirty from schema_migrations", expect: {equals: 0}}
${blobs ? `    # A blob stored on the filesystem has no bytes in the database; its file is <blobs>/ab/cd/abcd... .
    - {name: blobs-present, source: db, sql: "select substr(checksum, 1, 2) || '/' || substr(checksum, 3, 2) || '/' || checksum from blobs where blob is null", expect: {files_exist: {in: blobs}}}
` : ""}${restoreHooks(a, "Stash must not write while stash-go.sqlite is swapped.")}`;
  },
  todo: () => ["add a second and an offsite target, then set policy.rule: 3-2-1", "app.version: Stash reports its version over GraphQL only; set app.version by hand, or from a command"]
};

// src/presets/vaultwarden.ts
var IMAGE4 = /vaultwarden\/server|bitwardenrs/;
var vaultwarden = {
  name: "vaultwarden",
  title: "Vaultwarden",
  docs: ["https://github.com/dani-garcia/vaultwarden/wiki/Backing-up-your-vault"],
  questions: [
    ...commonQuestions("vaultwarden", containerOf(IMAGE4, "vaultwarden")),
    { key: "data", ask: "The data folder (mounted at /data)", suggest: mountedAt(IMAGE4, "/data", "vw-data") },
    { key: "app-url", ask: 'Vaultwarden URL for the version and the health check ("no": none)', suggest: () => "http://localhost:80" }
  ],
  render(a) {
    const url = isNo(a["app-url"]) ? void 0 : a["app-url"].replace(/\/+$/, "");
    const data = a.data.replace(/\/+$/, "");
    return `${header("Vaultwarden", "vaultwarden", this.docs, ["Only the SQLite setup: with MySQL or PostgreSQL, replace the db source with a postgres one."])}
name: ${yamlValue(a.name)}
${url ? `app:
  # /api/version answers "1.x.y".
  version_from: {http: {url: ${yamlValue(`${url}/api/version`)}}}
` : ""}sources:
  - name: db
    type: sqlite
    path: ${yamlValue(`${data}/db.sqlite3`)}
  - name: data
    type: files
    path: ${yamlValue(data)}
    # Attachments, sends, the admin page's config.json and the JWT signing keys rsa_key* (lose them and
    # every session ends). The database is the db source above; icon_cache/ is fetched again.
    include: ["attachments/**", "sends/**", "config.json", "rsa_key*"]
    exclude: ["db.sqlite3*", "icon_cache/**", "tmp/**"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: users, source: db, sql: "select count(*) from users", expect: {min: 1}}
    # Each attachment is attachments/<cipher uuid>/<attachment id>.
    - {name: attachments-present, source: db, sql: "select 'attachments/' || cipher_uuid || '/' || id from attachments", expect: {files_exist: {in: data}}}
${url ? `    - {name: alive, http: {url: ${yamlValue(`${url}/alive`)}}, retries: 30, interval: 2s}
` : ""}${restoreHooks(a, "Vaultwarden must not write while db.sqlite3 is swapped.")}`;
  },
  todo: () => ["add a second and an offsite target, then set policy.rule: 3-2-1", "encrypt the backups (age_recipients): they hold config.json with the admin token"]
};

// src/presets/vodum.ts
var IMAGE5 = /vodum/i;
var vodum = {
  name: "vodum",
  title: "VODUM",
  docs: ["https://github.com/Nexius2/vodum-docs/blob/main/docs/backup.md"],
  questions: [
    ...commonQuestions("vodum", containerOf(IMAGE5, "vodum")),
    { key: "appdata", ask: "The appdata folder (mounted at /appdata)", suggest: mountedAt(IMAGE5, "/appdata", "appdata") }
  ],
  render(a) {
    const dir = a.appdata.replace(/\/+$/, "");
    return `${header("VODUM", "vodum", this.docs, [])}
name: ${yamlValue(a.name)}
sources:
  - name: db
    type: sqlite
    path: ${yamlValue(`${dir}/database.db`)}
  - name: appdata
    type: files
    path: ${yamlValue(dir)}
    # The key that decrypts the credentials stored in the database: without it they are lost.
    # VODUM's own backups/ go along; the live database is the db source above.
    include: ["vodum.secret_key", "backups/**"]
    exclude: ["database.db*"]
${targetBlock(a)}restore:
  healthchecks:
    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: settings, source: db, sql: "select count(*) from settings", expect: {min: 1}}
${restoreHooks(a, "VODUM must not write while its database is swapped.")}`;
  },
  todo: () => ["add a second and an offsite target, then set policy.rule: 3-2-1", "encrypt the backups (age_recipients): they hold the secret key with the database"]
};

// src/presets/index.ts
var presets = [immich, stash, gamevault, vodum, vaultwarden, paperless];
function presetNamed(name) {
  return presets.find((p) => p.name === name.toLowerCase());
}

// src/commands/init.ts
var ANSWER_KEYS = [...new Set(presets.flatMap((p) => p.questions.map((q) => q.key)))];
function parse(argv) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        preset: { type: "string" },
        path: { type: "string" },
        out: { type: "string", default: "restorable.yml" },
        list: { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        yes: { type: "boolean", short: "y", default: false },
        help: { type: "boolean", short: "h", default: false },
        ...Object.fromEntries(ANSWER_KEYS.map((k) => [k, { type: "string" }]))
      }
    });
  } catch (error) {
    throw new UsageError(`restorable init: ${error.message}`, { hint: "Run `restorable init --help` for the options." });
  }
}
function usage(preset) {
  const list = presets.map((p) => `  ${p.name.padEnd(12)} ${p.title}`).join("\n");
  const questions = (preset ? [preset] : presets).flatMap((p) => p.questions.map((q) => `  --${q.key.padEnd(16)} ${q.ask}${preset ? "" : ` (${p.name})`}`));
  return `Usage: restorable init [--preset NAME] [--path APP_FOLDER] [--out FILE] [--force] [--yes] [--ANSWER VALUE...]
       restorable init --list

Writes a commented plan for an app (reading docker-compose.yml and .env in --path),
then validates it. Answers not given as flags are asked on a terminal (--yes takes
the suggestions), and taken from the app's folder or defaults elsewhere.

Presets:
${list}

Answers${preset ? ` (${preset.name})` : ""}:
${[...new Set(questions)].join("\n")}`;
}
function terminalAsker() {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return {
    async ask(question, suggestion, choices) {
      for (; ; ) {
        const hint = choices ? ` (${choices.join("/")})` : "";
        const answer = (await rl.question(`${question}${hint} [${suggestion}]: `)).trim() || suggestion;
        if (!choices || choices.includes(answer)) return answer;
        process.stderr.write(`Please answer one of: ${choices.join(", ")}
`);
      }
    },
    close: () => rl.close()
  };
}
var suggestions = { ask: async (_q, suggestion) => suggestion, close: () => void 0 };
async function answersFor(preset, app, flags, asker) {
  const answers = {};
  for (const q of preset.questions) {
    if (q.when && !q.when(answers)) continue;
    const given = flags[q.key];
    const answer = typeof given === "string" ? given : await asker.ask(q.ask, q.suggest(app, answers), q.choices);
    if (q.choices && !q.choices.includes(answer)) throw new UsageError(`--${q.key} ${answer}: expected one of ${q.choices.join(", ")}.`);
    answers[q.key] = answer;
  }
  return answers;
}
async function init(argv, io) {
  const { values } = parse(argv);
  const flags = values;
  const named = values.preset === void 0 ? void 0 : presetNamed(values.preset);
  if (values.preset !== void 0 && !named) throw new UsageError(`No preset is named "${values.preset}".`, { hint: `Presets: ${presets.map((p) => p.name).join(", ")} (restorable init --list).` });
  if (values.help) {
    io.reporter.output(usage(named));
    return void 0;
  }
  if (values.list) {
    io.reporter.output(presets.map((p) => `${p.name.padEnd(12)} ${p.title.padEnd(14)} ${p.docs[0]}`).join("\n"));
    return { presets: presets.map((p) => ({ name: p.name, title: p.title, docs: p.docs })) };
  }
  const interactive = process.stdin.isTTY === true && !values.yes;
  const asker = interactive ? terminalAsker() : suggestions;
  try {
    let preset = named;
    if (!preset) {
      if (!interactive) throw new UsageError("restorable init needs --preset when it cannot ask (no terminal).", { hint: `Presets: ${presets.map((p) => p.name).join(", ")}.` });
      const name = await asker.ask("Which app", presets[0].name, presets.map((p) => p.name));
      preset = presetNamed(name);
    }
    const dir = values.path ?? (interactive ? await asker.ask("The app folder (its docker-compose.yml and .env)", process.cwd()) : process.cwd());
    const app = readAppFolder(dir, io.env);
    const answers = await answersFor(preset, app, flags, asker);
    return await writePlan(preset, app, answers, resolve2(values.out), values.force, io);
  } finally {
    asker.close();
  }
}
async function writePlan(preset, app, answers, out, force, io) {
  const text = preset.render(answers, app);
  const doc = (0, import_yaml2.parseDocument)(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`preset ${preset.name} rendered invalid YAML: ${doc.errors[0].message}`);
  try {
    await writeFile(out, text, { flag: force ? "w" : "wx" });
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
    throw new RefusedError(`${out} exists; nothing was written.`, { hint: "Pass --force to replace it (your edits in it are lost), or --out to write elsewhere." });
  }
  const read = app.composeFile ? `read ${app.composeFile}${Object.keys(app.env).length > 0 ? " and .env" : ""}` : "no docker-compose file found: used the defaults and your answers";
  io.reporter.output(`Wrote ${out} for ${preset.title} (${read}).`);
  const input = { planPath: out, json: false };
  let invalid;
  try {
    await validate(input, { ...io });
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    invalid = error;
  }
  const todo = preset.todo(answers);
  io.reporter.output(["Left to do:", ...todo.map((t) => `  - ${t}`), `  - run \`restorable backup --plan ${out}\`, then \`restorable drill --plan ${out}\` to prove a restore`].join("\n"));
  if (invalid) throw invalid;
  return { file: out, preset: preset.name, answers, todo };
}
export {
  init
};
