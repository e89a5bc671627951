import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  calendarSpan,
  clockDuration,
  isNetworkError,
  metricsConfig,
  notifierConfig,
  retryBudgetMs,
  runCommand,
  tiedToParent,
  withRetry
} from "./chunk-2J7YGRIP.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  IntegrityError,
  NotFoundError,
  RefusedError,
  RestorableError,
  RunError,
  UsageError,
  ioHint,
  isDiskFull,
  reason,
  stagingFullHint
} from "./chunk-WHVU3KGO.js";
import {
  linger
} from "./chunk-IIVFCJRN.js";
import {
  require_utils
} from "./chunk-6LCIRVR7.js";
import {
  __commonJS,
  __toESM
} from "./chunk-ZJTQKECG.js";

// node_modules/picomatch/lib/constants.js
var require_constants = __commonJS({
  "node_modules/picomatch/lib/constants.js"(exports, module) {
    "use strict";
    var WIN_SLASH = "\\\\/";
    var WIN_NO_SLASH = `[^${WIN_SLASH}]`;
    var DEFAULT_MAX_EXTGLOB_RECURSION = 0;
    var DOT_LITERAL = "\\.";
    var PLUS_LITERAL = "\\+";
    var QMARK_LITERAL = "\\?";
    var SLASH_LITERAL = "\\/";
    var ONE_CHAR = "(?=.)";
    var QMARK = "[^/]";
    var END_ANCHOR = `(?:${SLASH_LITERAL}|$)`;
    var START_ANCHOR = `(?:^|${SLASH_LITERAL})`;
    var DOTS_SLASH = `${DOT_LITERAL}{1,2}${END_ANCHOR}`;
    var NO_DOT = `(?!${DOT_LITERAL})`;
    var NO_DOTS = `(?!${START_ANCHOR}${DOTS_SLASH})`;
    var NO_DOT_SLASH = `(?!${DOT_LITERAL}{0,1}${END_ANCHOR})`;
    var NO_DOTS_SLASH = `(?!${DOTS_SLASH})`;
    var QMARK_NO_DOT = `[^.${SLASH_LITERAL}]`;
    var STAR = `${QMARK}*?`;
    var SEP = "/";
    var POSIX_CHARS = {
      DOT_LITERAL,
      PLUS_LITERAL,
      QMARK_LITERAL,
      SLASH_LITERAL,
      ONE_CHAR,
      QMARK,
      END_ANCHOR,
      DOTS_SLASH,
      NO_DOT,
      NO_DOTS,
      NO_DOT_SLASH,
      NO_DOTS_SLASH,
      QMARK_NO_DOT,
      STAR,
      START_ANCHOR,
      SEP
    };
    var WINDOWS_CHARS = {
      ...POSIX_CHARS,
      SLASH_LITERAL: `[${WIN_SLASH}]`,
      QMARK: WIN_NO_SLASH,
      STAR: `${WIN_NO_SLASH}*?`,
      DOTS_SLASH: `${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$)`,
      NO_DOT: `(?!${DOT_LITERAL})`,
      NO_DOTS: `(?!(?:^|[${WIN_SLASH}])${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      NO_DOT_SLASH: `(?!${DOT_LITERAL}{0,1}(?:[${WIN_SLASH}]|$))`,
      NO_DOTS_SLASH: `(?!${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      QMARK_NO_DOT: `[^.${WIN_SLASH}]`,
      START_ANCHOR: `(?:^|[${WIN_SLASH}])`,
      END_ANCHOR: `(?:[${WIN_SLASH}]|$)`,
      SEP: "\\"
    };
    var POSIX_REGEX_SOURCE = {
      __proto__: null,
      alnum: "a-zA-Z0-9",
      alpha: "a-zA-Z",
      ascii: "\\x00-\\x7F",
      blank: " \\t",
      cntrl: "\\x00-\\x1F\\x7F",
      digit: "0-9",
      graph: "\\x21-\\x7E",
      lower: "a-z",
      print: "\\x20-\\x7E ",
      punct: "\\-!\"#$%&'()\\*+,./:;<=>?@[\\]^_`{|}~",
      space: " \\t\\r\\n\\v\\f",
      upper: "A-Z",
      word: "A-Za-z0-9_",
      xdigit: "A-Fa-f0-9"
    };
    module.exports = {
      DEFAULT_MAX_EXTGLOB_RECURSION,
      MAX_LENGTH: 1024 * 64,
      POSIX_REGEX_SOURCE,
      // regular expressions
      REGEX_BACKSLASH: /\\(?![*+?^${}(|)[\]])/g,
      REGEX_NON_SPECIAL_CHARS: /^[^@![\].,$*+?^{}()|\\/]+/,
      REGEX_SPECIAL_CHARS: /[-*+?.^${}(|)[\]]/,
      REGEX_SPECIAL_CHARS_BACKREF: /(\\?)((\W)(\3*))/g,
      REGEX_SPECIAL_CHARS_GLOBAL: /([-*+?.^${}(|)[\]])/g,
      REGEX_REMOVE_BACKSLASH: /(?:\[.*?[^\\]\]|\\(?=.))/g,
      // Replace globs with equivalent patterns to reduce parsing time.
      REPLACEMENTS: {
        __proto__: null,
        "***": "*",
        "**/**": "**",
        "**/**/**": "**"
      },
      // Digits
      CHAR_0: 48,
      /* 0 */
      CHAR_9: 57,
      /* 9 */
      // Alphabet chars.
      CHAR_UPPERCASE_A: 65,
      /* A */
      CHAR_LOWERCASE_A: 97,
      /* a */
      CHAR_UPPERCASE_Z: 90,
      /* Z */
      CHAR_LOWERCASE_Z: 122,
      /* z */
      CHAR_LEFT_PARENTHESES: 40,
      /* ( */
      CHAR_RIGHT_PARENTHESES: 41,
      /* ) */
      CHAR_ASTERISK: 42,
      /* * */
      // Non-alphabetic chars.
      CHAR_AMPERSAND: 38,
      /* & */
      CHAR_AT: 64,
      /* @ */
      CHAR_BACKWARD_SLASH: 92,
      /* \ */
      CHAR_CARRIAGE_RETURN: 13,
      /* \r */
      CHAR_CIRCUMFLEX_ACCENT: 94,
      /* ^ */
      CHAR_COLON: 58,
      /* : */
      CHAR_COMMA: 44,
      /* , */
      CHAR_DOT: 46,
      /* . */
      CHAR_DOUBLE_QUOTE: 34,
      /* " */
      CHAR_EQUAL: 61,
      /* = */
      CHAR_EXCLAMATION_MARK: 33,
      /* ! */
      CHAR_FORM_FEED: 12,
      /* \f */
      CHAR_FORWARD_SLASH: 47,
      /* / */
      CHAR_GRAVE_ACCENT: 96,
      /* ` */
      CHAR_HASH: 35,
      /* # */
      CHAR_HYPHEN_MINUS: 45,
      /* - */
      CHAR_LEFT_ANGLE_BRACKET: 60,
      /* < */
      CHAR_LEFT_CURLY_BRACE: 123,
      /* { */
      CHAR_LEFT_SQUARE_BRACKET: 91,
      /* [ */
      CHAR_LINE_FEED: 10,
      /* \n */
      CHAR_NO_BREAK_SPACE: 160,
      /* \u00A0 */
      CHAR_PERCENT: 37,
      /* % */
      CHAR_PLUS: 43,
      /* + */
      CHAR_QUESTION_MARK: 63,
      /* ? */
      CHAR_RIGHT_ANGLE_BRACKET: 62,
      /* > */
      CHAR_RIGHT_CURLY_BRACE: 125,
      /* } */
      CHAR_RIGHT_SQUARE_BRACKET: 93,
      /* ] */
      CHAR_SEMICOLON: 59,
      /* ; */
      CHAR_SINGLE_QUOTE: 39,
      /* ' */
      CHAR_SPACE: 32,
      /*   */
      CHAR_TAB: 9,
      /* \t */
      CHAR_UNDERSCORE: 95,
      /* _ */
      CHAR_VERTICAL_LINE: 124,
      /* | */
      CHAR_ZERO_WIDTH_NOBREAK_SPACE: 65279,
      /* \uFEFF */
      /**
       * Create EXTGLOB_CHARS
       */
      extglobChars(chars) {
        return {
          "!": { type: "negate", open: "(?:(?!(?:", close: `))${chars.STAR})` },
          "?": { type: "qmark", open: "(?:", close: ")?" },
          "+": { type: "plus", open: "(?:", close: ")+" },
          "*": { type: "star", open: "(?:", close: ")*" },
          "@": { type: "at", open: "(?:", close: ")" }
        };
      },
      /**
       * Create GLOB_CHARS
       */
      globChars(win32) {
        return win32 === true ? WINDOWS_CHARS : POSIX_CHARS;
      }
    };
  }
});

// node_modules/picomatch/lib/utils.js
var require_utils2 = __commonJS({
  "node_modules/picomatch/lib/utils.js"(exports) {
    "use strict";
    var {
      REGEX_BACKSLASH,
      REGEX_REMOVE_BACKSLASH,
      REGEX_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_GLOBAL
    } = require_constants();
    exports.isObject = (val) => val !== null && typeof val === "object" && !Array.isArray(val);
    exports.hasRegexChars = (str) => REGEX_SPECIAL_CHARS.test(str);
    exports.isRegexChar = (str) => str.length === 1 && exports.hasRegexChars(str);
    exports.escapeRegex = (str) => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, "\\$1");
    exports.toPosixSlashes = (str) => str.replace(REGEX_BACKSLASH, "/");
    exports.isWindows = () => {
      if (typeof navigator !== "undefined" && navigator.platform) {
        const platform = navigator.platform.toLowerCase();
        return platform === "win32" || platform === "windows";
      }
      if (typeof process !== "undefined" && process.platform) {
        return process.platform === "win32";
      }
      return false;
    };
    exports.removeBackslashes = (str) => {
      return str.replace(REGEX_REMOVE_BACKSLASH, (match) => {
        return match === "\\" ? "" : match;
      });
    };
    exports.escapeLast = (input, char, lastIdx) => {
      const idx = input.lastIndexOf(char, lastIdx);
      if (idx === -1) return input;
      if (input[idx - 1] === "\\") return exports.escapeLast(input, char, idx - 1);
      return `${input.slice(0, idx)}\\${input.slice(idx)}`;
    };
    exports.removePrefix = (input, state = {}) => {
      let output = input;
      if (output.startsWith("./")) {
        output = output.slice(2);
        state.prefix = "./";
      }
      return output;
    };
    exports.wrapOutput = (input, state = {}, options = {}) => {
      const prepend = options.contains ? "" : "^";
      const append = options.contains ? "" : "$";
      let output = `${prepend}(?:${input})${append}`;
      if (state.negated === true) {
        output = `(?:^(?!${output}).*$)`;
      }
      return output;
    };
    exports.basename = (path, { windows } = {}) => {
      const segs = path.split(windows ? /[\\/]/ : "/");
      const last = segs[segs.length - 1];
      if (last === "") {
        return segs[segs.length - 2];
      }
      return last;
    };
  }
});

// node_modules/picomatch/lib/scan.js
var require_scan = __commonJS({
  "node_modules/picomatch/lib/scan.js"(exports, module) {
    "use strict";
    var utils = require_utils2();
    var {
      CHAR_ASTERISK,
      /* * */
      CHAR_AT,
      /* @ */
      CHAR_BACKWARD_SLASH,
      /* \ */
      CHAR_COMMA,
      /* , */
      CHAR_DOT,
      /* . */
      CHAR_EXCLAMATION_MARK,
      /* ! */
      CHAR_FORWARD_SLASH,
      /* / */
      CHAR_LEFT_CURLY_BRACE,
      /* { */
      CHAR_LEFT_PARENTHESES,
      /* ( */
      CHAR_LEFT_SQUARE_BRACKET,
      /* [ */
      CHAR_PLUS,
      /* + */
      CHAR_QUESTION_MARK,
      /* ? */
      CHAR_RIGHT_CURLY_BRACE,
      /* } */
      CHAR_RIGHT_PARENTHESES,
      /* ) */
      CHAR_RIGHT_SQUARE_BRACKET
      /* ] */
    } = require_constants();
    var isPathSeparator = (code) => {
      return code === CHAR_FORWARD_SLASH || code === CHAR_BACKWARD_SLASH;
    };
    var depth2 = (token) => {
      if (token.isPrefix !== true) {
        token.depth = token.isGlobstar ? Infinity : 1;
      }
    };
    var scan = (input, options) => {
      const opts = options || {};
      const length = input.length - 1;
      const scanToEnd = opts.parts === true || opts.tokens === true || opts.scanToEnd === true;
      const slashes = [];
      const tokens = [];
      const parts = [];
      let str = input;
      let index = -1;
      let start = 0;
      let lastIndex = 0;
      let isBrace = false;
      let isBracket = false;
      let isGlob = false;
      let isExtglob = false;
      let isGlobstar = false;
      let braceEscaped = false;
      let backslashes = false;
      let negated = false;
      let negatedExtglob = false;
      let finished = false;
      let braces = 0;
      let prev;
      let code;
      let token = { value: "", depth: 0, isGlob: false };
      const eos = () => index >= length;
      const peek = () => str.charCodeAt(index + 1);
      const advance = () => {
        prev = code;
        return str.charCodeAt(++index);
      };
      while (index < length) {
        code = advance();
        let next;
        if (code === CHAR_BACKWARD_SLASH) {
          backslashes = token.backslashes = true;
          code = advance();
          if (code === CHAR_LEFT_CURLY_BRACE) {
            braceEscaped = true;
          }
          continue;
        }
        if (braceEscaped === true || code === CHAR_LEFT_CURLY_BRACE) {
          braces++;
          while (eos() !== true && (code = advance())) {
            if (code === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (code === CHAR_LEFT_CURLY_BRACE) {
              braces++;
              continue;
            }
            if (braceEscaped !== true && code === CHAR_DOT && (code = advance()) === CHAR_DOT) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (braceEscaped !== true && code === CHAR_COMMA) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (code === CHAR_RIGHT_CURLY_BRACE) {
              braces--;
              if (braces === 0) {
                braceEscaped = false;
                isBrace = token.isBrace = true;
                finished = true;
                break;
              }
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_FORWARD_SLASH) {
          slashes.push(index);
          tokens.push(token);
          token = { value: "", depth: 0, isGlob: false };
          if (finished === true) continue;
          if (prev === CHAR_DOT && index === start + 1) {
            start += 2;
            continue;
          }
          lastIndex = index + 1;
          continue;
        }
        if (opts.noext !== true) {
          const isExtglobChar = code === CHAR_PLUS || code === CHAR_AT || code === CHAR_ASTERISK || code === CHAR_QUESTION_MARK || code === CHAR_EXCLAMATION_MARK;
          if (isExtglobChar === true && peek() === CHAR_LEFT_PARENTHESES) {
            isGlob = token.isGlob = true;
            isExtglob = token.isExtglob = true;
            finished = true;
            if (code === CHAR_EXCLAMATION_MARK && index === start) {
              negatedExtglob = true;
            }
            if (scanToEnd === true) {
              let parens = 0;
              while (eos() !== true && (code = advance())) {
                if (code === CHAR_BACKWARD_SLASH) {
                  backslashes = token.backslashes = true;
                  advance();
                  continue;
                }
                if (code === CHAR_LEFT_PARENTHESES) {
                  parens++;
                  continue;
                }
                if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                  finished = true;
                  break;
                }
              }
              continue;
            }
            break;
          }
        }
        if (code === CHAR_ASTERISK) {
          if (prev === CHAR_ASTERISK) isGlobstar = token.isGlobstar = true;
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_QUESTION_MARK) {
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_LEFT_SQUARE_BRACKET) {
          while (eos() !== true && (next = advance())) {
            if (next === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (next === CHAR_RIGHT_SQUARE_BRACKET) {
              isBracket = token.isBracket = true;
              isGlob = token.isGlob = true;
              finished = true;
              break;
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (opts.nonegate !== true && code === CHAR_EXCLAMATION_MARK && index === start) {
          negated = token.negated = true;
          start++;
          continue;
        }
        if (opts.noparen !== true && code === CHAR_LEFT_PARENTHESES) {
          isGlob = token.isGlob = true;
          if (scanToEnd === true) {
            let parens = 1;
            while (eos() !== true && (code = advance())) {
              if (code === CHAR_BACKWARD_SLASH) {
                backslashes = token.backslashes = true;
                advance();
                continue;
              }
              if (code === CHAR_LEFT_PARENTHESES) {
                parens++;
                continue;
              }
              if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                finished = true;
                break;
              }
            }
            continue;
          }
          break;
        }
        if (isGlob === true) {
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
      }
      if (opts.noext === true) {
        isExtglob = false;
        isGlob = false;
      }
      let base = str;
      let prefix = "";
      let glob = "";
      if (start > 0) {
        prefix = str.slice(0, start);
        str = str.slice(start);
        lastIndex -= start;
      }
      if (base && isGlob === true && lastIndex > 0) {
        base = str.slice(0, lastIndex);
        glob = str.slice(lastIndex);
      } else if (isGlob === true) {
        base = "";
        glob = str;
      } else {
        base = str;
      }
      if (base && base !== "" && base !== "/" && base !== str) {
        if (isPathSeparator(base.charCodeAt(base.length - 1))) {
          base = base.slice(0, -1);
        }
      }
      if (opts.unescape === true) {
        if (glob) glob = utils.removeBackslashes(glob);
        if (base && backslashes === true) {
          base = utils.removeBackslashes(base);
        }
      }
      const state = {
        prefix,
        input,
        start,
        base,
        glob,
        isBrace,
        isBracket,
        isGlob,
        isExtglob,
        isGlobstar,
        negated,
        negatedExtglob
      };
      if (opts.tokens === true) {
        state.maxDepth = 0;
        if (!isPathSeparator(code)) {
          tokens.push(token);
        }
        state.tokens = tokens;
      }
      if (opts.parts === true || opts.tokens === true) {
        let prevIndex;
        for (let idx = 0; idx < slashes.length; idx++) {
          const n2 = prevIndex !== void 0 ? prevIndex + 1 : start;
          const i = slashes[idx];
          const value2 = input.slice(n2, i);
          if (opts.tokens) {
            if (idx === 0 && start !== 0) {
              tokens[idx].isPrefix = true;
              tokens[idx].value = prefix;
            } else {
              tokens[idx].value = value2;
            }
            depth2(tokens[idx]);
            state.maxDepth += tokens[idx].depth;
          }
          if (i >= start) {
            parts.push(value2);
            prevIndex = i;
          }
        }
        const n = prevIndex !== void 0 ? prevIndex + 1 : start;
        const value = input.slice(n);
        parts.push(value);
        if (opts.tokens && prevIndex && prevIndex + 1 < input.length) {
          tokens[tokens.length - 1].value = value;
          depth2(tokens[tokens.length - 1]);
          state.maxDepth += tokens[tokens.length - 1].depth;
        }
        state.slashes = slashes;
        state.parts = parts;
      }
      return state;
    };
    module.exports = scan;
  }
});

// node_modules/picomatch/lib/parse.js
var require_parse = __commonJS({
  "node_modules/picomatch/lib/parse.js"(exports, module) {
    "use strict";
    var constants3 = require_constants();
    var utils = require_utils2();
    var {
      MAX_LENGTH,
      POSIX_REGEX_SOURCE,
      REGEX_NON_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_BACKREF,
      REPLACEMENTS
    } = constants3;
    var expandRange = (args, options) => {
      if (typeof options.expandRange === "function") {
        return options.expandRange(...args, options);
      }
      args.sort();
      const value = `[${args.join("-")}]`;
      try {
        new RegExp(value);
      } catch (ex) {
        return args.map((v2) => utils.escapeRegex(v2)).join("..");
      }
      return value;
    };
    var syntaxError = (type, char) => {
      return `Missing ${type}: "${char}" - use "\\\\${char}" to match literal characters`;
    };
    var splitTopLevel = (input) => {
      const parts = [];
      let bracket = 0;
      let paren = 0;
      let quote2 = 0;
      let value = "";
      let escaped = false;
      for (const ch of input) {
        if (escaped === true) {
          value += ch;
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          value += ch;
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote2 = quote2 === 1 ? 0 : 1;
          value += ch;
          continue;
        }
        if (quote2 === 0) {
          if (ch === "[") {
            bracket++;
          } else if (ch === "]" && bracket > 0) {
            bracket--;
          } else if (bracket === 0) {
            if (ch === "(") {
              paren++;
            } else if (ch === ")" && paren > 0) {
              paren--;
            } else if (ch === "|" && paren === 0) {
              parts.push(value);
              value = "";
              continue;
            }
          }
        }
        value += ch;
      }
      parts.push(value);
      return parts;
    };
    var isPlainBranch = (branch) => {
      let escaped = false;
      for (const ch of branch) {
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (/[?*+@!()[\]{}]/.test(ch)) {
          return false;
        }
      }
      return true;
    };
    var normalizeSimpleBranch = (branch) => {
      let value = branch.trim();
      let changed = true;
      while (changed === true) {
        changed = false;
        if (/^@\([^\\()[\]{}|]+\)$/.test(value)) {
          value = value.slice(2, -1);
          changed = true;
        }
      }
      if (!isPlainBranch(value)) {
        return;
      }
      return value.replace(/\\(.)/g, "$1");
    };
    var hasRepeatedCharPrefixOverlap = (branches) => {
      const values = branches.map(normalizeSimpleBranch).filter(Boolean);
      for (let i = 0; i < values.length; i++) {
        for (let j2 = i + 1; j2 < values.length; j2++) {
          const a = values[i];
          const b2 = values[j2];
          const char = a[0];
          if (!char || a !== char.repeat(a.length) || b2 !== char.repeat(b2.length)) {
            continue;
          }
          if (a === b2 || a.startsWith(b2) || b2.startsWith(a)) {
            return true;
          }
        }
      }
      return false;
    };
    var parseRepeatedExtglob = (pattern, requireEnd = true) => {
      if (pattern[0] !== "+" && pattern[0] !== "*" || pattern[1] !== "(") {
        return;
      }
      let bracket = 0;
      let paren = 0;
      let quote2 = 0;
      let escaped = false;
      for (let i = 1; i < pattern.length; i++) {
        const ch = pattern[i];
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote2 = quote2 === 1 ? 0 : 1;
          continue;
        }
        if (quote2 === 1) {
          continue;
        }
        if (ch === "[") {
          bracket++;
          continue;
        }
        if (ch === "]" && bracket > 0) {
          bracket--;
          continue;
        }
        if (bracket > 0) {
          continue;
        }
        if (ch === "(") {
          paren++;
          continue;
        }
        if (ch === ")") {
          paren--;
          if (paren === 0) {
            if (requireEnd === true && i !== pattern.length - 1) {
              return;
            }
            return {
              type: pattern[0],
              body: pattern.slice(2, i),
              end: i
            };
          }
        }
      }
    };
    var buildCharClassStar = (chars) => {
      const source = chars.length === 1 ? utils.escapeRegex(chars[0]) : `[${chars.map((ch) => utils.escapeRegex(ch)).join("")}]`;
      return `${source}*`;
    };
    var getStarExtglobSequenceChars = (pattern) => {
      let index = 0;
      const chars = [];
      while (index < pattern.length) {
        const match = parseRepeatedExtglob(pattern.slice(index), false);
        if (!match || match.type !== "*") {
          return;
        }
        const branches = splitTopLevel(match.body).map((branch2) => branch2.trim());
        if (branches.length !== 1) {
          return;
        }
        const branch = normalizeSimpleBranch(branches[0]);
        if (!branch || branch.length !== 1) {
          return;
        }
        chars.push(branch);
        index += match.end + 1;
      }
      if (chars.length < 1) {
        return;
      }
      return chars;
    };
    var repeatedExtglobRecursion = (pattern) => {
      let depth2 = 0;
      let value = pattern.trim();
      let match = parseRepeatedExtglob(value);
      while (match) {
        depth2++;
        value = match.body.trim();
        match = parseRepeatedExtglob(value);
      }
      return depth2;
    };
    var analyzeRepeatedExtglob = (body, options) => {
      if (options.maxExtglobRecursion === false) {
        return { risky: false };
      }
      const max = typeof options.maxExtglobRecursion === "number" ? options.maxExtglobRecursion : constants3.DEFAULT_MAX_EXTGLOB_RECURSION;
      const branches = splitTopLevel(body).map((branch) => branch.trim());
      if (branches.length > 1) {
        if (branches.some((branch) => branch === "") || branches.some((branch) => /^[*?]+$/.test(branch)) || hasRepeatedCharPrefixOverlap(branches)) {
          return { risky: true };
        }
      }
      const safeChars = [];
      let sawStarSequence = false;
      let combinable = true;
      for (const branch of branches) {
        const chars = getStarExtglobSequenceChars(branch);
        if (chars) {
          sawStarSequence = true;
          safeChars.push(...chars);
          continue;
        }
        const literal3 = normalizeSimpleBranch(branch);
        if (literal3 && literal3.length === 1) {
          safeChars.push(literal3);
          continue;
        }
        combinable = false;
        if (repeatedExtglobRecursion(branch) > max) {
          return { risky: true };
        }
      }
      if (sawStarSequence) {
        return combinable ? { risky: true, safeOutput: buildCharClassStar([...new Set(safeChars)]) } : { risky: true };
      }
      return { risky: false };
    };
    var parse = (input, options) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected a string");
      }
      input = REPLACEMENTS[input] || input;
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      let len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      const bos = { type: "bos", value: "", output: opts.prepend || "" };
      const tokens = [bos];
      const capture = opts.capture ? "" : "?:";
      const PLATFORM_CHARS = constants3.globChars(opts.windows);
      const EXTGLOB_CHARS = constants3.extglobChars(PLATFORM_CHARS);
      const {
        DOT_LITERAL,
        PLUS_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOT_SLASH,
        NO_DOTS_SLASH,
        QMARK,
        QMARK_NO_DOT,
        STAR,
        START_ANCHOR
      } = PLATFORM_CHARS;
      const globstar = (opts2) => {
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const nodot = opts.dot ? "" : NO_DOT;
      const qmarkNoDot = opts.dot ? QMARK : QMARK_NO_DOT;
      let star = opts.bash === true ? globstar(opts) : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      if (typeof opts.noext === "boolean") {
        opts.noextglob = opts.noext;
      }
      const state = {
        input,
        index: -1,
        start: 0,
        dot: opts.dot === true,
        consumed: "",
        output: "",
        prefix: "",
        backtrack: false,
        negated: false,
        brackets: 0,
        braces: 0,
        parens: 0,
        quotes: 0,
        globstar: false,
        tokens
      };
      input = utils.removePrefix(input, state);
      len = input.length;
      const extglobs = [];
      const braces = [];
      const stack = [];
      let prev = bos;
      let value;
      const eos = () => state.index === len - 1;
      const peek = state.peek = (n = 1) => input[state.index + n];
      const advance = state.advance = () => input[++state.index] || "";
      const remaining = () => input.slice(state.index + 1);
      const consume = (value2 = "", num = 0) => {
        state.consumed += value2;
        state.index += num;
      };
      const append = (token) => {
        state.output += token.output != null ? token.output : token.value;
        consume(token.value);
      };
      const negate = () => {
        let count = 1;
        while (peek() === "!" && (peek(2) !== "(" || peek(3) === "?")) {
          advance();
          state.start++;
          count++;
        }
        if (count % 2 === 0) {
          return false;
        }
        state.negated = true;
        state.start++;
        return true;
      };
      const increment = (type) => {
        state[type]++;
        stack.push(type);
      };
      const decrement = (type) => {
        state[type]--;
        stack.pop();
      };
      const push = (tok) => {
        if (prev.type === "globstar") {
          const isBrace = state.braces > 0 && (tok.type === "comma" || tok.type === "brace");
          const isExtglob = tok.extglob === true || extglobs.length && (tok.type === "pipe" || tok.type === "paren");
          if (tok.type !== "slash" && tok.type !== "paren" && !isBrace && !isExtglob) {
            state.output = state.output.slice(0, -prev.output.length);
            prev.type = "star";
            prev.value = "*";
            prev.output = star;
            state.output += prev.output;
          }
        }
        if (extglobs.length && tok.type !== "paren") {
          extglobs[extglobs.length - 1].inner += tok.value;
        }
        if (tok.value || tok.output) append(tok);
        if (prev && prev.type === "text" && tok.type === "text") {
          prev.output = (prev.output || prev.value) + tok.value;
          prev.value += tok.value;
          return;
        }
        tok.prev = prev;
        tokens.push(tok);
        prev = tok;
      };
      const extglobOpen = (type, value2) => {
        const token = { ...EXTGLOB_CHARS[value2], conditions: 1, inner: "" };
        token.prev = prev;
        token.parens = state.parens;
        token.output = state.output;
        token.startIndex = state.index;
        token.tokensIndex = tokens.length;
        const output = (opts.capture ? "(" : "") + token.open;
        increment("parens");
        push({ type, value: value2, output: state.output ? "" : ONE_CHAR });
        push({ type: "paren", extglob: true, value: advance(), output });
        extglobs.push(token);
      };
      const extglobClose = (token) => {
        const literal3 = input.slice(token.startIndex, state.index + 1);
        const body = input.slice(token.startIndex + 2, state.index);
        const analysis = analyzeRepeatedExtglob(body, opts);
        if ((token.type === "plus" || token.type === "star") && analysis.risky) {
          const safeOutput = analysis.safeOutput ? (token.output ? "" : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput) : void 0;
          const open3 = tokens[token.tokensIndex];
          open3.type = "text";
          open3.value = literal3;
          open3.output = safeOutput || utils.escapeRegex(literal3);
          for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
            tokens[i].value = "";
            tokens[i].output = "";
            delete tokens[i].suffix;
          }
          state.output = token.output + open3.output;
          state.backtrack = true;
          push({ type: "paren", extglob: true, value, output: "" });
          decrement("parens");
          return;
        }
        let output = token.close + (opts.capture ? ")" : "");
        let rest;
        if (token.type === "negate") {
          let extglobStar = star;
          if (token.inner && token.inner.length > 1 && token.inner.includes("/")) {
            extglobStar = globstar(opts);
          }
          if (extglobStar !== star || eos() || /^\)+$/.test(remaining())) {
            output = token.close = `)$))${extglobStar}`;
          }
          if (token.inner.includes("*") && (rest = remaining()) && /^\.[^\\/.]+$/.test(rest)) {
            const expression = parse(rest, { ...options, fastpaths: false }).output;
            output = token.close = `)${expression})${extglobStar})`;
          }
          if (token.prev.type === "bos") {
            state.negatedExtglob = true;
          }
        }
        push({ type: "paren", extglob: true, value, output });
        decrement("parens");
      };
      if (opts.fastpaths !== false && !/(^[*!]|[/()[\]{}"])/.test(input)) {
        let backslashes = false;
        let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m2, esc, chars, first, rest, index) => {
          if (first === "\\") {
            backslashes = true;
            return m2;
          }
          if (first === "?") {
            if (esc) {
              return esc + first + (rest ? QMARK.repeat(rest.length) : "");
            }
            if (index === 0) {
              return qmarkNoDot + (rest ? QMARK.repeat(rest.length) : "");
            }
            return QMARK.repeat(chars.length);
          }
          if (first === ".") {
            return DOT_LITERAL.repeat(chars.length);
          }
          if (first === "*") {
            if (esc) {
              return esc + first + (rest ? star : "");
            }
            return star;
          }
          return esc ? m2 : `\\${m2}`;
        });
        if (backslashes === true) {
          if (opts.unescape === true) {
            output = output.replace(/\\/g, "");
          } else {
            output = output.replace(/\\+/g, (m2) => {
              return m2.length % 2 === 0 ? "\\\\" : m2 ? "\\" : "";
            });
          }
        }
        if (output === input && opts.contains === true) {
          state.output = input;
          return state;
        }
        state.output = utils.wrapOutput(output, state, options);
        return state;
      }
      while (!eos()) {
        value = advance();
        if (value === "\0") {
          continue;
        }
        if (value === "\\") {
          const next = peek();
          if (next === "/" && opts.bash !== true) {
            continue;
          }
          if (next === "." || next === ";") {
            continue;
          }
          if (!next) {
            value += "\\";
            push({ type: "text", value });
            continue;
          }
          const match = /^\\+/.exec(remaining());
          let slashes = 0;
          if (match && match[0].length > 2) {
            slashes = match[0].length;
            state.index += slashes;
            if (slashes % 2 !== 0) {
              value += "\\";
            }
          }
          if (opts.unescape === true) {
            value = advance();
          } else {
            value += advance();
          }
          if (state.brackets === 0) {
            push({ type: "text", value });
            continue;
          }
        }
        if (state.brackets > 0 && (value !== "]" || prev.value === "[" || prev.value === "[^")) {
          if (opts.posix !== false && value === ":") {
            const inner = prev.value.slice(1);
            if (inner.includes("[")) {
              prev.posix = true;
              if (inner.includes(":")) {
                const idx = prev.value.lastIndexOf("[");
                const pre = prev.value.slice(0, idx);
                const rest2 = prev.value.slice(idx + 2);
                const posix4 = POSIX_REGEX_SOURCE[rest2];
                if (posix4) {
                  prev.value = pre + posix4;
                  state.backtrack = true;
                  advance();
                  if (!bos.output && tokens.indexOf(prev) === 1) {
                    bos.output = ONE_CHAR;
                  }
                  continue;
                }
              }
            }
          }
          if (value === "[" && peek() !== ":" || value === "-" && peek() === "]") {
            value = `\\${value}`;
          }
          if (value === "]" && (prev.value === "[" || prev.value === "[^")) {
            value = `\\${value}`;
          }
          if (opts.posix === true && value === "!" && prev.value === "[") {
            value = "^";
          }
          prev.value += value;
          append({ value });
          continue;
        }
        if (state.quotes === 1 && value !== '"') {
          value = utils.escapeRegex(value);
          prev.value += value;
          append({ value });
          continue;
        }
        if (value === '"') {
          state.quotes = state.quotes === 1 ? 0 : 1;
          if (opts.keepQuotes === true) {
            push({ type: "text", value });
          }
          continue;
        }
        if (value === "(") {
          increment("parens");
          push({ type: "paren", value });
          continue;
        }
        if (value === ")") {
          if (state.parens === 0 && opts.strictBrackets === true) {
            throw new SyntaxError(syntaxError("opening", "("));
          }
          const extglob = extglobs[extglobs.length - 1];
          if (extglob && state.parens === extglob.parens + 1) {
            extglobClose(extglobs.pop());
            continue;
          }
          push({ type: "paren", value, output: state.parens ? ")" : "\\)" });
          decrement("parens");
          continue;
        }
        if (value === "[") {
          if (opts.nobracket === true || !remaining().includes("]")) {
            if (opts.nobracket !== true && opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("closing", "]"));
            }
            value = `\\${value}`;
          } else {
            increment("brackets");
          }
          push({ type: "bracket", value });
          continue;
        }
        if (value === "]") {
          if (opts.nobracket === true || prev && prev.type === "bracket" && prev.value.length === 1) {
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          if (state.brackets === 0) {
            if (opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("opening", "["));
            }
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          decrement("brackets");
          const prevValue = prev.value.slice(1);
          if (prev.posix !== true && prevValue[0] === "^" && !prevValue.includes("/")) {
            value = `/${value}`;
          }
          prev.value += value;
          append({ value });
          if (opts.literalBrackets === false || utils.hasRegexChars(prevValue)) {
            continue;
          }
          const escaped = utils.escapeRegex(prev.value);
          state.output = state.output.slice(0, -prev.value.length);
          if (opts.literalBrackets === true) {
            state.output += escaped;
            prev.value = escaped;
            continue;
          }
          prev.value = `(${capture}${escaped}|${prev.value})`;
          state.output += prev.value;
          continue;
        }
        if (value === "{" && opts.nobrace !== true) {
          increment("braces");
          const open3 = {
            type: "brace",
            value,
            output: "(",
            outputIndex: state.output.length,
            tokensIndex: state.tokens.length
          };
          braces.push(open3);
          push(open3);
          continue;
        }
        if (value === "}") {
          const brace = braces[braces.length - 1];
          if (opts.nobrace === true || !brace) {
            push({ type: "text", value, output: value });
            continue;
          }
          let output = ")";
          if (brace.dots === true) {
            const arr = tokens.slice();
            const range = [];
            for (let i = arr.length - 1; i >= 0; i--) {
              tokens.pop();
              if (arr[i].type === "brace") {
                break;
              }
              if (arr[i].type !== "dots") {
                range.unshift(arr[i].value);
              }
            }
            output = expandRange(range, opts);
            state.backtrack = true;
          }
          if (brace.comma !== true && brace.dots !== true) {
            const out = state.output.slice(0, brace.outputIndex);
            const toks = state.tokens.slice(brace.tokensIndex);
            brace.value = brace.output = "\\{";
            value = output = "\\}";
            state.output = out;
            for (const t of toks) {
              state.output += t.output || t.value;
            }
          }
          push({ type: "brace", value, output });
          decrement("braces");
          braces.pop();
          continue;
        }
        if (value === "|") {
          if (extglobs.length > 0) {
            extglobs[extglobs.length - 1].conditions++;
          }
          push({ type: "text", value });
          continue;
        }
        if (value === ",") {
          let output = value;
          const brace = braces[braces.length - 1];
          if (brace && stack[stack.length - 1] === "braces") {
            brace.comma = true;
            output = "|";
          }
          push({ type: "comma", value, output });
          continue;
        }
        if (value === "/") {
          if (prev.type === "dot" && state.index === state.start + 1) {
            state.start = state.index + 1;
            state.consumed = "";
            state.output = "";
            tokens.pop();
            prev = bos;
            continue;
          }
          push({ type: "slash", value, output: SLASH_LITERAL });
          continue;
        }
        if (value === ".") {
          if (state.braces > 0 && prev.type === "dot") {
            if (prev.value === ".") prev.output = DOT_LITERAL;
            const brace = braces[braces.length - 1];
            prev.type = "dots";
            prev.output += value;
            prev.value += value;
            brace.dots = true;
            continue;
          }
          if (state.braces + state.parens === 0 && prev.type !== "bos" && prev.type !== "slash") {
            push({ type: "text", value, output: DOT_LITERAL });
            continue;
          }
          push({ type: "dot", value, output: DOT_LITERAL });
          continue;
        }
        if (value === "?") {
          const isGroup = prev && prev.value === "(";
          if (!isGroup && opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("qmark", value);
            continue;
          }
          if (prev && prev.type === "paren") {
            const next = peek();
            let output = value;
            if (prev.value === "(" && !/[!=<:]/.test(next) || next === "<" && !/<([!=]|\w+>)/.test(remaining())) {
              output = `\\${value}`;
            }
            push({ type: "text", value, output });
            continue;
          }
          if (opts.dot !== true && (prev.type === "slash" || prev.type === "bos")) {
            push({ type: "qmark", value, output: QMARK_NO_DOT });
            continue;
          }
          push({ type: "qmark", value, output: QMARK });
          continue;
        }
        if (value === "!") {
          if (opts.noextglob !== true && peek() === "(") {
            if (peek(2) !== "?" || !/[!=<:]/.test(peek(3))) {
              extglobOpen("negate", value);
              continue;
            }
          }
          if (opts.nonegate !== true && state.index === 0) {
            negate();
            continue;
          }
        }
        if (value === "+") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("plus", value);
            continue;
          }
          if (prev && prev.value === "(" || opts.regex === false) {
            push({ type: "plus", value, output: PLUS_LITERAL });
            continue;
          }
          if (prev && (prev.type === "bracket" || prev.type === "paren" || prev.type === "brace") || state.parens > 0) {
            push({ type: "plus", value });
            continue;
          }
          push({ type: "plus", value: PLUS_LITERAL });
          continue;
        }
        if (value === "@") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            push({ type: "at", extglob: true, value, output: "" });
            continue;
          }
          push({ type: "text", value });
          continue;
        }
        if (value !== "*") {
          if (value === "$" || value === "^") {
            value = `\\${value}`;
          }
          const match = REGEX_NON_SPECIAL_CHARS.exec(remaining());
          if (match) {
            value += match[0];
            state.index += match[0].length;
          }
          push({ type: "text", value });
          continue;
        }
        if (prev && (prev.type === "globstar" || prev.star === true)) {
          prev.type = "star";
          prev.star = true;
          prev.value += value;
          prev.output = star;
          state.backtrack = true;
          state.globstar = true;
          consume(value);
          continue;
        }
        let rest = remaining();
        if (opts.noextglob !== true && /^\([^?]/.test(rest)) {
          extglobOpen("star", value);
          continue;
        }
        if (prev.type === "star") {
          if (opts.noglobstar === true) {
            consume(value);
            continue;
          }
          const prior = prev.prev;
          const before = prior.prev;
          const isStart = prior.type === "slash" || prior.type === "bos";
          const afterStar = before && (before.type === "star" || before.type === "globstar");
          if (opts.bash === true && (!isStart || rest[0] && rest[0] !== "/")) {
            push({ type: "star", value, output: "" });
            continue;
          }
          const isBrace = state.braces > 0 && (prior.type === "comma" || prior.type === "brace");
          const isExtglob = extglobs.length && (prior.type === "pipe" || prior.type === "paren");
          if (!isStart && prior.type !== "paren" && !isBrace && !isExtglob) {
            push({ type: "star", value, output: "" });
            continue;
          }
          while (rest.slice(0, 3) === "/**") {
            const after = input[state.index + 4];
            if (after && after !== "/") {
              break;
            }
            rest = rest.slice(3);
            consume("/**", 3);
          }
          const isEnd = eos() || state.parens > 0 && rest === ")".repeat(state.parens) && !extglobs.some((extglob) => extglob.type === "negate");
          if (prior.type === "bos" && eos()) {
            prev.type = "globstar";
            prev.value += value;
            prev.output = globstar(opts);
            state.output = prev.output;
            state.globstar = true;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && !afterStar && isEnd) {
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = globstar(opts) + (opts.strictSlashes ? ")" : "|$)");
            prev.value += value;
            state.globstar = true;
            state.output += prior.output + prev.output;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && rest[0] === "/") {
            const end = rest[1] !== void 0 ? "|$" : "";
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = `${globstar(opts)}${SLASH_LITERAL}|${SLASH_LITERAL}${end})`;
            prev.value += value;
            state.output += prior.output + prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          if (prior.type === "bos" && rest[0] === "/") {
            prev.type = "globstar";
            prev.value += value;
            prev.output = `(?:^|${SLASH_LITERAL}|${globstar(opts)}${SLASH_LITERAL})`;
            state.output = prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          state.output = state.output.slice(0, -prev.output.length);
          prev.type = "globstar";
          prev.output = globstar(opts);
          prev.value += value;
          state.output += prev.output;
          state.globstar = true;
          consume(value);
          continue;
        }
        const token = { type: "star", value, output: star };
        if (opts.bash === true) {
          token.output = ".*?";
          if (prev.type === "bos" || prev.type === "slash") {
            token.output = nodot + token.output;
          }
          push(token);
          continue;
        }
        if (prev && (prev.type === "bracket" || prev.type === "paren") && opts.regex === true) {
          token.output = value;
          push(token);
          continue;
        }
        if (state.index === state.start || prev.type === "slash" || prev.type === "dot") {
          if (prev.type === "dot") {
            state.output += NO_DOT_SLASH;
            prev.output += NO_DOT_SLASH;
          } else if (opts.dot === true) {
            state.output += NO_DOTS_SLASH;
            prev.output += NO_DOTS_SLASH;
          } else {
            state.output += nodot;
            prev.output += nodot;
          }
          if (peek() !== "*") {
            state.output += ONE_CHAR;
            prev.output += ONE_CHAR;
          }
        }
        push(token);
      }
      while (state.brackets > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "]"));
        state.output = utils.escapeLast(state.output, "[");
        decrement("brackets");
      }
      while (state.parens > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", ")"));
        state.output = utils.escapeLast(state.output, "(");
        decrement("parens");
      }
      while (state.braces > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "}"));
        state.output = utils.escapeLast(state.output, "{");
        decrement("braces");
      }
      if (opts.strictSlashes !== true && (prev.type === "star" || prev.type === "bracket")) {
        push({ type: "maybe_slash", value: "", output: `${SLASH_LITERAL}?` });
      }
      if (state.backtrack === true) {
        state.output = "";
        for (const token of state.tokens) {
          state.output += token.output != null ? token.output : token.value;
          if (token.suffix) {
            state.output += token.suffix;
          }
        }
      }
      return state;
    };
    parse.fastpaths = (input, options) => {
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      const len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      input = REPLACEMENTS[input] || input;
      const {
        DOT_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOTS,
        NO_DOTS_SLASH,
        STAR,
        START_ANCHOR
      } = constants3.globChars(opts.windows);
      const nodot = opts.dot ? NO_DOTS : NO_DOT;
      const slashDot = opts.dot ? NO_DOTS_SLASH : NO_DOT;
      const capture = opts.capture ? "" : "?:";
      const state = { negated: false, prefix: "" };
      let star = opts.bash === true ? ".*?" : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      const globstar = (opts2) => {
        if (opts2.noglobstar === true) return star;
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const create = (str) => {
        switch (str) {
          case "*":
            return `${nodot}${ONE_CHAR}${star}`;
          case ".*":
            return `${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*.*":
            return `${nodot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*/*":
            return `${nodot}${star}${SLASH_LITERAL}${ONE_CHAR}${slashDot}${star}`;
          case "**":
            return nodot + globstar(opts);
          case "**/*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${ONE_CHAR}${star}`;
          case "**/*.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "**/.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${DOT_LITERAL}${ONE_CHAR}${star}`;
          default: {
            const match = /^(.*?)\.(\w+)$/.exec(str);
            if (!match) return;
            const source2 = create(match[1]);
            if (!source2) return;
            return source2 + DOT_LITERAL + match[2];
          }
        }
      };
      const output = utils.removePrefix(input, state);
      let source = create(output);
      if (source && opts.strictSlashes !== true) {
        source += `${SLASH_LITERAL}?`;
      }
      return source;
    };
    module.exports = parse;
  }
});

// node_modules/picomatch/lib/picomatch.js
var require_picomatch = __commonJS({
  "node_modules/picomatch/lib/picomatch.js"(exports, module) {
    "use strict";
    var scan = require_scan();
    var parse = require_parse();
    var utils = require_utils2();
    var constants3 = require_constants();
    var isObject = (val) => val && typeof val === "object" && !Array.isArray(val);
    var picomatch2 = (glob, options, returnState = false) => {
      if (Array.isArray(glob)) {
        const fns = glob.map((input) => picomatch2(input, options, returnState));
        const arrayMatcher = (str) => {
          for (const isMatch of fns) {
            const state2 = isMatch(str);
            if (state2) return state2;
          }
          return false;
        };
        return arrayMatcher;
      }
      const isState = isObject(glob) && glob.tokens && glob.input;
      if (glob === "" || typeof glob !== "string" && !isState) {
        throw new TypeError("Expected pattern to be a non-empty string");
      }
      const opts = options || {};
      const posix4 = opts.windows;
      const regex = isState ? picomatch2.compileRe(glob, options) : picomatch2.makeRe(glob, options, false, true);
      const state = regex.state;
      delete regex.state;
      let isIgnored = () => false;
      if (opts.ignore) {
        const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
        isIgnored = picomatch2(opts.ignore, ignoreOpts, returnState);
      }
      const matcher = (input, returnObject = false) => {
        const { isMatch, match, output } = picomatch2.test(input, regex, options, { glob, posix: posix4 });
        const result = { glob, state, regex, posix: posix4, input, output, match, isMatch };
        if (typeof opts.onResult === "function") {
          opts.onResult(result);
        }
        if (isMatch === false) {
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (isIgnored(input)) {
          if (typeof opts.onIgnore === "function") {
            opts.onIgnore(result);
          }
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (typeof opts.onMatch === "function") {
          opts.onMatch(result);
        }
        return returnObject ? result : true;
      };
      if (returnState) {
        matcher.state = state;
      }
      return matcher;
    };
    picomatch2.test = (input, regex, options, { glob, posix: posix4 } = {}) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected input to be a string");
      }
      if (input === "") {
        return { isMatch: false, output: "" };
      }
      const opts = options || {};
      const format = opts.format || (posix4 ? utils.toPosixSlashes : null);
      let match = input === glob;
      let output = match && format ? format(input) : input;
      if (match === false) {
        output = format ? format(input) : input;
        match = output === glob;
      }
      if (match === false || opts.capture === true) {
        if (opts.matchBase === true || opts.basename === true) {
          match = picomatch2.matchBase(input, regex, options, posix4);
        } else {
          match = regex.exec(output);
        }
      }
      return { isMatch: Boolean(match), match, output };
    };
    picomatch2.matchBase = (input, glob, options, posix4 = options && options.windows) => {
      const regex = glob instanceof RegExp ? glob : picomatch2.makeRe(glob, options);
      return regex.test(utils.basename(input, { windows: posix4 }));
    };
    picomatch2.isMatch = (str, patterns, options) => picomatch2(patterns, options)(str);
    picomatch2.parse = (pattern, options) => {
      if (Array.isArray(pattern)) return pattern.map((p2) => picomatch2.parse(p2, options));
      return parse(pattern, { ...options, fastpaths: false });
    };
    picomatch2.scan = (input, options) => scan(input, options);
    picomatch2.compileRe = (state, options, returnOutput = false, returnState = false) => {
      if (returnOutput === true) {
        return state.output;
      }
      const opts = options || {};
      const prepend = opts.contains ? "" : "^";
      const append = opts.contains ? "" : "$";
      let source = `${prepend}(?:${state.output})${append}`;
      if (state && state.negated === true) {
        source = `^(?!${source}).*$`;
      }
      const regex = picomatch2.toRegex(source, options);
      if (returnState === true) {
        regex.state = state;
      }
      return regex;
    };
    picomatch2.makeRe = (input, options = {}, returnOutput = false, returnState = false) => {
      if (!input || typeof input !== "string") {
        throw new TypeError("Expected a non-empty string");
      }
      let parsed = { negated: false, fastpaths: true };
      if (options.fastpaths !== false && (input[0] === "." || input[0] === "*")) {
        parsed.output = parse.fastpaths(input, options);
      }
      if (!parsed.output) {
        parsed = parse(input, options);
      }
      return picomatch2.compileRe(parsed, options, returnOutput, returnState);
    };
    picomatch2.toRegex = (source, options) => {
      try {
        const opts = options || {};
        return new RegExp(source, opts.flags || (opts.nocase ? "i" : ""));
      } catch (err) {
        if (options && options.debug === true) throw err;
        return /$^/;
      }
    };
    picomatch2.constants = constants3;
    module.exports = picomatch2;
  }
});

// node_modules/picomatch/index.js
var require_picomatch2 = __commonJS({
  "node_modules/picomatch/index.js"(exports, module) {
    "use strict";
    var pico = require_picomatch();
    var utils = require_utils2();
    function picomatch2(glob, options, returnState = false) {
      if (options && (options.windows === null || options.windows === void 0)) {
        options = { ...options, windows: utils.isWindows() };
      }
      return pico(glob, options, returnState);
    }
    Object.assign(picomatch2, pico);
    module.exports = picomatch2;
  }
});

// node_modules/tar/dist/esm/index.min.js
import Qr from "events";
import I from "fs";
import { EventEmitter as Di } from "node:events";
import Cs from "node:stream";
import { StringDecoder as Hr } from "node:string_decoder";
import cr from "node:path";
import Kt from "node:fs";
import { dirname as Fn, parse as kn } from "path";
import { EventEmitter as Dn } from "events";
import zi from "assert";
import { Buffer as Ot } from "buffer";
import * as Ps from "zlib";
import en from "zlib";
import { posix as Zt } from "node:path";
import { basename as _n } from "node:path";
import mi from "fs";
import X from "fs";
import js from "path";
import { win32 as Pn } from "node:path";
import ar from "path";
import Br from "node:fs";
import co from "node:assert";
import { randomBytes as Mr } from "node:crypto";
import u from "node:fs";
import R from "node:path";
import pr from "fs";
import wi from "node:fs";
import we from "node:path";
import k from "node:fs";
import ro from "node:fs/promises";
import Si from "node:path";
import { join as xr } from "node:path";
import v from "node:fs";
import Pr from "node:path";
var zr = Object.defineProperty;
var Ur = (s4, t) => {
  for (var e in t) zr(s4, e, { get: t[e], enumerable: true });
};
var Ds = typeof process == "object" && process ? process : { stdout: null, stderr: null };
var Wr = (s4) => !!s4 && typeof s4 == "object" && (s4 instanceof A || s4 instanceof Cs || Gr(s4) || Zr(s4));
var Gr = (s4) => !!s4 && typeof s4 == "object" && s4 instanceof Di && typeof s4.pipe == "function" && s4.pipe !== Cs.Writable.prototype.pipe;
var Zr = (s4) => !!s4 && typeof s4 == "object" && s4 instanceof Di && typeof s4.write == "function" && typeof s4.end == "function";
var Q = Symbol("EOF");
var J = Symbol("maybeEmitEnd");
var nt = Symbol("emittedEnd");
var De = Symbol("emittingEnd");
var qt = Symbol("emittedError");
var Ne = Symbol("closed");
var Ns = Symbol("read");
var Ae = Symbol("flush");
var As = Symbol("flushChunk");
var z = Symbol("encoding");
var Mt = Symbol("decoder");
var g = Symbol("flowing");
var Qt = Symbol("paused");
var Bt = Symbol("resume");
var b = Symbol("buffer");
var N = Symbol("pipes");
var _ = Symbol("bufferLength");
var bi = Symbol("bufferPush");
var Ie = Symbol("bufferShift");
var L = Symbol("objectMode");
var S = Symbol("destroyed");
var _i = Symbol("error");
var Oi = Symbol("emitData");
var Is = Symbol("emitEnd");
var Ti = Symbol("emitEnd2");
var Z = Symbol("async");
var xi = Symbol("abort");
var Ce = Symbol("aborted");
var Jt = Symbol("signal");
var Rt = Symbol("dataListeners");
var C = Symbol("discarded");
var jt = (s4) => Promise.resolve().then(s4);
var Yr = (s4) => s4();
var Kr = (s4) => s4 === "end" || s4 === "finish" || s4 === "prefinish";
var Vr = (s4) => s4 instanceof ArrayBuffer || !!s4 && typeof s4 == "object" && s4.constructor && s4.constructor.name === "ArrayBuffer" && s4.byteLength >= 0;
var $r = (s4) => !Buffer.isBuffer(s4) && ArrayBuffer.isView(s4);
var Fe = class {
  src;
  dest;
  opts;
  ondrain;
  constructor(t, e, i) {
    this.src = t, this.dest = e, this.opts = i, this.ondrain = () => t[Bt](), this.dest.on("drain", this.ondrain);
  }
  unpipe() {
    this.dest.removeListener("drain", this.ondrain);
  }
  proxyErrors(t) {
  }
  end() {
    this.unpipe(), this.opts.end && this.dest.end();
  }
};
var Li = class extends Fe {
  unpipe() {
    this.src.removeListener("error", this.proxyErrors), super.unpipe();
  }
  constructor(t, e, i) {
    super(t, e, i), this.proxyErrors = (r) => this.dest.emit("error", r), t.on("error", this.proxyErrors);
  }
};
var Xr = (s4) => !!s4.objectMode;
var qr = (s4) => !s4.objectMode && !!s4.encoding && s4.encoding !== "buffer";
var A = class extends Di {
  [g] = false;
  [Qt] = false;
  [N] = [];
  [b] = [];
  [L];
  [z];
  [Z];
  [Mt];
  [Q] = false;
  [nt] = false;
  [De] = false;
  [Ne] = false;
  [qt] = null;
  [_] = 0;
  [S] = false;
  [Jt];
  [Ce] = false;
  [Rt] = 0;
  [C] = false;
  writable = true;
  readable = true;
  constructor(...t) {
    let e = t[0] || {};
    if (super(), e.objectMode && typeof e.encoding == "string") throw new TypeError("Encoding and objectMode may not be used together");
    Xr(e) ? (this[L] = true, this[z] = null) : qr(e) ? (this[z] = e.encoding, this[L] = false) : (this[L] = false, this[z] = null), this[Z] = !!e.async, this[Mt] = this[z] ? new Hr(this[z]) : null, e && e.debugExposeBuffer === true && Object.defineProperty(this, "buffer", { get: () => this[b] }), e && e.debugExposePipes === true && Object.defineProperty(this, "pipes", { get: () => this[N] });
    let { signal: i } = e;
    i && (this[Jt] = i, i.aborted ? this[xi]() : i.addEventListener("abort", () => this[xi]()));
  }
  get bufferLength() {
    return this[_];
  }
  get encoding() {
    return this[z];
  }
  set encoding(t) {
    throw new Error("Encoding must be set at instantiation time");
  }
  setEncoding(t) {
    throw new Error("Encoding must be set at instantiation time");
  }
  get objectMode() {
    return this[L];
  }
  set objectMode(t) {
    throw new Error("objectMode must be set at instantiation time");
  }
  get async() {
    return this[Z];
  }
  set async(t) {
    this[Z] = this[Z] || !!t;
  }
  [xi]() {
    this[Ce] = true, this.emit("abort", this[Jt]?.reason), this.destroy(this[Jt]?.reason);
  }
  get aborted() {
    return this[Ce];
  }
  set aborted(t) {
  }
  write(t, e, i) {
    if (this[Ce]) return false;
    if (this[Q]) throw new Error("write after end");
    if (this[S]) return this.emit("error", Object.assign(new Error("Cannot call write after a stream was destroyed"), { code: "ERR_STREAM_DESTROYED" })), true;
    typeof e == "function" && (i = e, e = "utf8"), e || (e = "utf8");
    let r = this[Z] ? jt : Yr;
    if (!this[L] && !Buffer.isBuffer(t)) {
      if ($r(t)) t = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
      else if (Vr(t)) t = Buffer.from(t);
      else if (typeof t != "string") throw new Error("Non-contiguous data written to non-objectMode stream");
    }
    return this[L] ? (this[g] && this[_] !== 0 && this[Ae](true), this[g] ? this.emit("data", t) : this[bi](t), this[_] !== 0 && this.emit("readable"), i && r(i), this[g]) : t.length ? (typeof t == "string" && !(e === this[z] && !this[Mt]?.lastNeed) && (t = Buffer.from(t, e)), Buffer.isBuffer(t) && this[z] && (t = this[Mt].write(t)), this[g] && this[_] !== 0 && this[Ae](true), this[g] ? this.emit("data", t) : this[bi](t), this[_] !== 0 && this.emit("readable"), i && r(i), this[g]) : (this[_] !== 0 && this.emit("readable"), i && r(i), this[g]);
  }
  read(t) {
    if (this[S]) return null;
    if (this[C] = false, this[_] === 0 || t === 0 || t && t > this[_]) return this[J](), null;
    this[L] && (t = null), this[b].length > 1 && !this[L] && (this[b] = [this[z] ? this[b].join("") : Buffer.concat(this[b], this[_])]);
    let e = this[Ns](t || null, this[b][0]);
    return this[J](), e;
  }
  [Ns](t, e) {
    if (this[L]) this[Ie]();
    else {
      let i = e;
      t === i.length || t === null ? this[Ie]() : typeof i == "string" ? (this[b][0] = i.slice(t), e = i.slice(0, t), this[_] -= t) : (this[b][0] = i.subarray(t), e = i.subarray(0, t), this[_] -= t);
    }
    return this.emit("data", e), !this[b].length && !this[Q] && this.emit("drain"), e;
  }
  end(t, e, i) {
    return typeof t == "function" && (i = t, t = void 0), typeof e == "function" && (i = e, e = "utf8"), t !== void 0 && this.write(t, e), i && this.once("end", i), this[Q] = true, this.writable = false, (this[g] || !this[Qt]) && this[J](), this;
  }
  [Bt]() {
    this[S] || (!this[Rt] && !this[N].length && (this[C] = true), this[Qt] = false, this[g] = true, this.emit("resume"), this[b].length ? this[Ae]() : this[Q] ? this[J]() : this.emit("drain"));
  }
  resume() {
    return this[Bt]();
  }
  pause() {
    this[g] = false, this[Qt] = true, this[C] = false;
  }
  get destroyed() {
    return this[S];
  }
  get flowing() {
    return this[g];
  }
  get paused() {
    return this[Qt];
  }
  [bi](t) {
    this[L] ? this[_] += 1 : this[_] += t.length, this[b].push(t);
  }
  [Ie]() {
    return this[L] ? this[_] -= 1 : this[_] -= this[b][0].length, this[b].shift();
  }
  [Ae](t = false) {
    do
      ;
    while (this[As](this[Ie]()) && this[b].length);
    !t && !this[b].length && !this[Q] && this.emit("drain");
  }
  [As](t) {
    return this.emit("data", t), this[g];
  }
  pipe(t, e) {
    if (this[S]) return t;
    this[C] = false;
    let i = this[nt];
    return e = e || {}, t === Ds.stdout || t === Ds.stderr ? e.end = false : e.end = e.end !== false, e.proxyErrors = !!e.proxyErrors, i ? e.end && t.end() : (this[N].push(e.proxyErrors ? new Li(this, t, e) : new Fe(this, t, e)), this[Z] ? jt(() => this[Bt]()) : this[Bt]()), t;
  }
  unpipe(t) {
    let e = this[N].find((i) => i.dest === t);
    e && (this[N].length === 1 ? (this[g] && this[Rt] === 0 && (this[g] = false), this[N] = []) : this[N].splice(this[N].indexOf(e), 1), e.unpipe());
  }
  addListener(t, e) {
    return this.on(t, e);
  }
  on(t, e) {
    let i = super.on(t, e);
    if (t === "data") this[C] = false, this[Rt]++, !this[N].length && !this[g] && this[Bt]();
    else if (t === "readable" && this[_] !== 0) super.emit("readable");
    else if (Kr(t) && this[nt]) super.emit(t), this.removeAllListeners(t);
    else if (t === "error" && this[qt]) {
      let r = e;
      this[Z] ? jt(() => r.call(this, this[qt])) : r.call(this, this[qt]);
    }
    return i;
  }
  removeListener(t, e) {
    return this.off(t, e);
  }
  off(t, e) {
    let i = super.off(t, e);
    return t === "data" && (this[Rt] = this.listeners("data").length, this[Rt] === 0 && !this[C] && !this[N].length && (this[g] = false)), i;
  }
  removeAllListeners(t) {
    let e = super.removeAllListeners(t);
    return (t === "data" || t === void 0) && (this[Rt] = 0, !this[C] && !this[N].length && (this[g] = false)), e;
  }
  get emittedEnd() {
    return this[nt];
  }
  [J]() {
    !this[De] && !this[nt] && !this[S] && this[b].length === 0 && this[Q] && (this[De] = true, this.emit("end"), this.emit("prefinish"), this.emit("finish"), this[Ne] && this.emit("close"), this[De] = false);
  }
  emit(t, ...e) {
    let i = e[0];
    if (t !== "error" && t !== "close" && t !== S && this[S]) return false;
    if (t === "data") return !this[L] && !i ? false : this[Z] ? (jt(() => this[Oi](i)), true) : this[Oi](i);
    if (t === "end") return this[Is]();
    if (t === "close") {
      if (this[Ne] = true, !this[nt] && !this[S]) return false;
      let n = super.emit("close");
      return this.removeAllListeners("close"), n;
    } else if (t === "error") {
      this[qt] = i, super.emit(_i, i);
      let n = !this[Jt] || this.listeners("error").length ? super.emit("error", i) : false;
      return this[J](), n;
    } else if (t === "resume") {
      let n = super.emit("resume");
      return this[J](), n;
    } else if (t === "finish" || t === "prefinish") {
      let n = super.emit(t);
      return this.removeAllListeners(t), n;
    }
    let r = super.emit(t, ...e);
    return this[J](), r;
  }
  [Oi](t) {
    for (let i of this[N]) i.dest.write(t) === false && this.pause();
    let e = this[C] ? false : super.emit("data", t);
    return this[J](), e;
  }
  [Is]() {
    return this[nt] ? false : (this[nt] = true, this.readable = false, this[Z] ? (jt(() => this[Ti]()), true) : this[Ti]());
  }
  [Ti]() {
    if (this[Mt]) {
      let e = this[Mt].end();
      if (e) {
        for (let i of this[N]) i.dest.write(e);
        this[C] || super.emit("data", e);
      }
    }
    for (let e of this[N]) e.end();
    let t = super.emit("end");
    return this.removeAllListeners("end"), t;
  }
  async collect() {
    let t = Object.assign([], { dataLength: 0 });
    this[L] || (t.dataLength = 0);
    let e = this.promise();
    return this.on("data", (i) => {
      t.push(i), this[L] || (t.dataLength += i.length);
    }), await e, t;
  }
  async concat() {
    if (this[L]) throw new Error("cannot concat in objectMode");
    let t = await this.collect();
    return this[z] ? t.join("") : Buffer.concat(t, t.dataLength);
  }
  async promise() {
    return new Promise((t, e) => {
      this.on(S, () => e(new Error("stream destroyed"))), this.on("error", (i) => e(i)), this.on("end", () => t());
    });
  }
  [Symbol.asyncIterator]() {
    this[C] = false;
    let t = false, e = async () => (this.pause(), t = true, { value: void 0, done: true });
    return { next: () => {
      if (t) return e();
      let r = this.read();
      if (r !== null) return Promise.resolve({ done: false, value: r });
      if (this[Q]) return e();
      let n, o, h = (d) => {
        this.off("data", a), this.off("end", l), this.off(S, c), e(), o(d);
      }, a = (d) => {
        this.off("error", h), this.off("end", l), this.off(S, c), this.pause(), n({ value: d, done: !!this[Q] });
      }, l = () => {
        this.off("error", h), this.off("data", a), this.off(S, c), e(), n({ done: true, value: void 0 });
      }, c = () => h(new Error("stream destroyed"));
      return new Promise((d, y) => {
        o = y, n = d, this.once(S, c), this.once("error", h), this.once("end", l), this.once("data", a);
      });
    }, throw: e, return: e, [Symbol.asyncIterator]() {
      return this;
    }, [Symbol.asyncDispose]: async () => {
    } };
  }
  [Symbol.iterator]() {
    this[C] = false;
    let t = false, e = () => (this.pause(), this.off(_i, e), this.off(S, e), this.off("end", e), t = true, { done: true, value: void 0 }), i = () => {
      if (t) return e();
      let r = this.read();
      return r === null ? e() : { done: false, value: r };
    };
    return this.once("end", e), this.once(_i, e), this.once(S, e), { next: i, throw: e, return: e, [Symbol.iterator]() {
      return this;
    }, [Symbol.dispose]: () => {
    } };
  }
  destroy(t) {
    if (this[S]) return t ? this.emit("error", t) : this.emit(S), this;
    this[S] = true, this[C] = true, this[b].length = 0, this[_] = 0;
    let e = this;
    return typeof e.close == "function" && !this[Ne] && e.close(), t ? this.emit("error", t) : this.emit(S), this;
  }
  static get isStream() {
    return Wr;
  }
};
var Jr = I.writev;
var ht = Symbol("_autoClose");
var H = Symbol("_close");
var te = Symbol("_ended");
var m = Symbol("_fd");
var Ni = Symbol("_finished");
var tt = Symbol("_flags");
var Ai = Symbol("_flush");
var ki = Symbol("_handleChunk");
var vi = Symbol("_makeBuf");
var ie = Symbol("_mode");
var ke = Symbol("_needDrain");
var Ut = Symbol("_onerror");
var Ht = Symbol("_onopen");
var Ii = Symbol("_onread");
var Pt = Symbol("_onwrite");
var at = Symbol("_open");
var U = Symbol("_path");
var ot = Symbol("_pos");
var Y = Symbol("_queue");
var zt = Symbol("_read");
var Ci = Symbol("_readSize");
var j = Symbol("_reading");
var ee = Symbol("_remain");
var Fi = Symbol("_size");
var ve = Symbol("_write");
var gt = Symbol("_writing");
var Me = Symbol("_defaultFlag");
var bt = Symbol("_errored");
var _t = class extends A {
  [bt] = false;
  [m];
  [U];
  [Ci];
  [j] = false;
  [Fi];
  [ee];
  [ht];
  constructor(t, e) {
    if (e = e || {}, super(e), this.readable = true, this.writable = false, typeof t != "string") throw new TypeError("path must be a string");
    this[bt] = false, this[m] = typeof e.fd == "number" ? e.fd : void 0, this[U] = t, this[Ci] = e.readSize || 16 * 1024 * 1024, this[j] = false, this[Fi] = typeof e.size == "number" ? e.size : 1 / 0, this[ee] = this[Fi], this[ht] = typeof e.autoClose == "boolean" ? e.autoClose : true, typeof this[m] == "number" ? this[zt]() : this[at]();
  }
  get fd() {
    return this[m];
  }
  get path() {
    return this[U];
  }
  write() {
    throw new TypeError("this is a readable stream");
  }
  end() {
    throw new TypeError("this is a readable stream");
  }
  [at]() {
    I.open(this[U], "r", (t, e) => this[Ht](t, e));
  }
  [Ht](t, e) {
    t ? this[Ut](t) : (this[m] = e, this.emit("open", e), this[zt]());
  }
  [vi]() {
    return Buffer.allocUnsafe(Math.min(this[Ci], this[ee]));
  }
  [zt]() {
    if (!this[j]) {
      this[j] = true;
      let t = this[vi]();
      if (t.length === 0) return process.nextTick(() => this[Ii](null, 0, t));
      I.read(this[m], t, 0, t.length, null, (e, i, r) => this[Ii](e, i, r));
    }
  }
  [Ii](t, e, i) {
    this[j] = false, t ? this[Ut](t) : this[ki](e, i) && this[zt]();
  }
  [H]() {
    if (this[ht] && typeof this[m] == "number") {
      let t = this[m];
      this[m] = void 0, I.close(t, (e) => e ? this.emit("error", e) : this.emit("close"));
    }
  }
  [Ut](t) {
    this[j] = true, this[H](), this.emit("error", t);
  }
  [ki](t, e) {
    let i = false;
    return this[ee] -= t, t > 0 && (i = super.write(t < e.length ? e.subarray(0, t) : e)), (t === 0 || this[ee] <= 0) && (i = false, this[H](), super.end()), i;
  }
  emit(t, ...e) {
    switch (t) {
      case "prefinish":
      case "finish":
        return false;
      case "drain":
        return typeof this[m] == "number" && this[zt](), false;
      case "error":
        return this[bt] ? false : (this[bt] = true, super.emit(t, ...e));
      default:
        return super.emit(t, ...e);
    }
  }
};
var Be = class extends _t {
  [at]() {
    let t = true;
    try {
      this[Ht](null, I.openSync(this[U], "r")), t = false;
    } finally {
      t && this[H]();
    }
  }
  [zt]() {
    let t = true;
    try {
      if (!this[j]) {
        this[j] = true;
        do {
          let e = this[vi](), i = e.length === 0 ? 0 : I.readSync(this[m], e, 0, e.length, null);
          if (!this[ki](i, e)) break;
        } while (true);
        this[j] = false;
      }
      t = false;
    } finally {
      t && this[H]();
    }
  }
  [H]() {
    if (this[ht] && typeof this[m] == "number") {
      let t = this[m];
      this[m] = void 0, I.closeSync(t), this.emit("close");
    }
  }
};
var et = class extends Qr {
  readable = false;
  writable = true;
  [bt] = false;
  [gt] = false;
  [te] = false;
  [Y] = [];
  [ke] = false;
  [U];
  [ie];
  [ht];
  [m];
  [Me];
  [tt];
  [Ni] = false;
  [ot];
  constructor(t, e) {
    e = e || {}, super(e), this[U] = t, this[m] = typeof e.fd == "number" ? e.fd : void 0, this[ie] = e.mode === void 0 ? 438 : e.mode, this[ot] = typeof e.start == "number" ? e.start : void 0, this[ht] = typeof e.autoClose == "boolean" ? e.autoClose : true;
    let i = this[ot] !== void 0 ? "r+" : "w";
    this[Me] = e.flags === void 0, this[tt] = e.flags === void 0 ? i : e.flags, this[m] === void 0 && this[at]();
  }
  emit(t, ...e) {
    if (t === "error") {
      if (this[bt]) return false;
      this[bt] = true;
    }
    return super.emit(t, ...e);
  }
  get fd() {
    return this[m];
  }
  get path() {
    return this[U];
  }
  [Ut](t) {
    this[H](), this[gt] = true, this.emit("error", t);
  }
  [at]() {
    I.open(this[U], this[tt], this[ie], (t, e) => this[Ht](t, e));
  }
  [Ht](t, e) {
    this[Me] && this[tt] === "r+" && t && t.code === "ENOENT" ? (this[tt] = "w", this[at]()) : t ? this[Ut](t) : (this[m] = e, this.emit("open", e), this[gt] || this[Ai]());
  }
  end(t, e) {
    return t && this.write(t, e), this[te] = true, !this[gt] && !this[Y].length && typeof this[m] == "number" && this[Pt](null, 0), this;
  }
  write(t, e) {
    return typeof t == "string" && (t = Buffer.from(t, e)), this[te] ? (this.emit("error", new Error("write() after end()")), false) : this[m] === void 0 || this[gt] || this[Y].length ? (this[Y].push(t), this[ke] = true, false) : (this[gt] = true, this[ve](t), true);
  }
  [ve](t) {
    I.write(this[m], t, 0, t.length, this[ot], (e, i) => this[Pt](e, i));
  }
  [Pt](t, e) {
    t ? this[Ut](t) : (this[ot] !== void 0 && typeof e == "number" && (this[ot] += e), this[Y].length ? this[Ai]() : (this[gt] = false, this[te] && !this[Ni] ? (this[Ni] = true, this[H](), this.emit("finish")) : this[ke] && (this[ke] = false, this.emit("drain"))));
  }
  [Ai]() {
    if (this[Y].length === 0) this[te] && this[Pt](null, 0);
    else if (this[Y].length === 1) this[ve](this[Y].pop());
    else {
      let t = this[Y];
      this[Y] = [], Jr(this[m], t, this[ot], (e, i) => this[Pt](e, i));
    }
  }
  [H]() {
    if (this[ht] && typeof this[m] == "number") {
      let t = this[m];
      this[m] = void 0, I.close(t, (e) => e ? this.emit("error", e) : this.emit("close"));
    }
  }
};
var Wt = class extends et {
  [at]() {
    let t;
    if (this[Me] && this[tt] === "r+") try {
      t = I.openSync(this[U], this[tt], this[ie]);
    } catch (e) {
      if (e?.code === "ENOENT") return this[tt] = "w", this[at]();
      throw e;
    }
    else t = I.openSync(this[U], this[tt], this[ie]);
    this[Ht](null, t);
  }
  [H]() {
    if (this[ht] && typeof this[m] == "number") {
      let t = this[m];
      this[m] = void 0, I.closeSync(t), this.emit("close");
    }
  }
  [ve](t) {
    let e = true;
    try {
      this[Pt](null, I.writeSync(this[m], t, 0, t.length, this[ot])), e = false;
    } finally {
      if (e) try {
        this[H]();
      } catch {
      }
    }
  }
};
var jr = /* @__PURE__ */ new Map([["C", "cwd"], ["f", "file"], ["z", "gzip"], ["P", "preservePaths"], ["U", "unlink"], ["strip-components", "strip"], ["stripComponents", "strip"], ["keep-newer", "newer"], ["keepNewer", "newer"], ["keep-newer-files", "newer"], ["keepNewerFiles", "newer"], ["k", "keep"], ["keep-existing", "keep"], ["keepExisting", "keep"], ["m", "noMtime"], ["no-mtime", "noMtime"], ["p", "preserveOwner"], ["L", "follow"], ["h", "follow"], ["onentry", "onReadEntry"]]);
var Fs = (s4) => !!s4.sync && !!s4.file;
var ks = (s4) => !s4.sync && !!s4.file;
var vs = (s4) => !!s4.sync && !s4.file;
var Ms = (s4) => !s4.sync && !s4.file;
var Bs = (s4) => !!s4.file;
var tn = (s4) => {
  let t = jr.get(s4);
  return t || s4;
};
var se = (s4 = {}) => {
  if (!s4) return {};
  let t = {};
  for (let [e, i] of Object.entries(s4)) {
    let r = tn(e);
    t[r] = i;
  }
  return t.chmod === void 0 && t.noChmod === false && (t.chmod = true), delete t.noChmod, t;
};
var K = (s4, t, e, i, r) => Object.assign((n = [], o, h) => {
  Array.isArray(n) && (o = n, n = {}), typeof o == "function" && (h = o, o = void 0), o = o ? Array.from(o) : [];
  let a = se(n);
  if (r?.(a, o), Fs(a)) {
    if (typeof h == "function") throw new TypeError("callback not supported for sync tar functions");
    return s4(a, o);
  } else if (ks(a)) {
    let l = t(a, o);
    return h ? l.then(() => h(), h) : l;
  } else if (vs(a)) {
    if (typeof h == "function") throw new TypeError("callback not supported for sync tar functions");
    return e(a, o);
  } else if (Ms(a)) {
    if (typeof h == "function") throw new TypeError("callback only supported with file option");
    return i(a, o);
  }
  throw new Error("impossible options??");
}, { syncFile: s4, asyncFile: t, syncNoFile: e, asyncNoFile: i, validate: r });
var sn = en.constants || { ZLIB_VERNUM: 4736 };
var M = Object.freeze(Object.assign(/* @__PURE__ */ Object.create(null), { Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5, Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6, Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1, Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7, BROTLI_DECODE: 8, BROTLI_ENCODE: 9, Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: 1 / 0, Z_DEFAULT_CHUNK: 16384, Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1, BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11, BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30, BROTLI_DEFAULT_WINDOW: 22, BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24, BROTLI_PARAM_MODE: 0, BROTLI_PARAM_QUALITY: 1, BROTLI_PARAM_LGWIN: 2, BROTLI_PARAM_LGBLOCK: 3, BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4, BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6, BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8, BROTLI_DECODER_RESULT_ERROR: 0, BROTLI_DECODER_RESULT_SUCCESS: 1, BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3, BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0, BROTLI_DECODER_PARAM_LARGE_WINDOW: 1, BROTLI_DECODER_NO_ERROR: 0, BROTLI_DECODER_SUCCESS: 1, BROTLI_DECODER_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_NEEDS_MORE_OUTPUT: 3, BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_NIBBLE: -1, BROTLI_DECODER_ERROR_FORMAT_RESERVED: -2, BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_META_NIBBLE: -3, BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_ALPHABET: -4, BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_SAME: -5, BROTLI_DECODER_ERROR_FORMAT_CL_SPACE: -6, BROTLI_DECODER_ERROR_FORMAT_HUFFMAN_SPACE: -7, BROTLI_DECODER_ERROR_FORMAT_CONTEXT_MAP_REPEAT: -8, BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_1: -9, BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_2: -10, BROTLI_DECODER_ERROR_FORMAT_TRANSFORM: -11, BROTLI_DECODER_ERROR_FORMAT_DICTIONARY: -12, BROTLI_DECODER_ERROR_FORMAT_WINDOW_BITS: -13, BROTLI_DECODER_ERROR_FORMAT_PADDING_1: -14, BROTLI_DECODER_ERROR_FORMAT_PADDING_2: -15, BROTLI_DECODER_ERROR_FORMAT_DISTANCE: -16, BROTLI_DECODER_ERROR_DICTIONARY_NOT_SET: -19, BROTLI_DECODER_ERROR_INVALID_ARGUMENTS: -20, BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES: -21, BROTLI_DECODER_ERROR_ALLOC_TREE_GROUPS: -22, BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MAP: -25, BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_1: -26, BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_2: -27, BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES: -30, BROTLI_DECODER_ERROR_UNREACHABLE: -31 }, sn));
var rn = Ot.concat;
var zs = Object.getOwnPropertyDescriptor(Ot, "concat");
var nn = (s4) => s4;
var Bi = zs?.writable === true || zs?.set !== void 0 ? (s4) => {
  Ot.concat = s4 ? nn : rn;
} : (s4) => {
};
var Tt = Symbol("_superWrite");
var Gt = class extends Error {
  code;
  errno;
  constructor(t, e) {
    super("zlib: " + t.message, { cause: t }), this.code = t.code, this.errno = t.errno, this.code || (this.code = "ZLIB_ERROR"), this.message = "zlib: " + t.message, Error.captureStackTrace(this, e ?? this.constructor);
  }
  get name() {
    return "ZlibError";
  }
};
var Pi = Symbol("flushFlag");
var re = class extends A {
  #t = false;
  #i = false;
  #s;
  #n;
  #r;
  #e;
  #o;
  get sawError() {
    return this.#t;
  }
  get handle() {
    return this.#e;
  }
  get flushFlag() {
    return this.#s;
  }
  constructor(t, e) {
    if (!t || typeof t != "object") throw new TypeError("invalid options for ZlibBase constructor");
    if (super(t), this.#s = t.flush ?? 0, this.#n = t.finishFlush ?? 0, this.#r = t.fullFlushFlag ?? 0, typeof Ps[e] != "function") throw new TypeError("Compression method not supported: " + e);
    try {
      this.#e = new Ps[e](t);
    } catch (i) {
      throw new Gt(i, this.constructor);
    }
    this.#o = (i) => {
      this.#t || (this.#t = true, this.close(), this.emit("error", i));
    }, this.#e?.on("error", (i) => this.#o(new Gt(i))), this.once("end", () => this.close);
  }
  close() {
    this.#e && (this.#e.close(), this.#e = void 0, this.emit("close"));
  }
  reset() {
    if (!this.#t) return zi(this.#e, "zlib binding closed"), this.#e.reset?.();
  }
  flush(t) {
    this.ended || (typeof t != "number" && (t = this.#r), this.write(Object.assign(Ot.alloc(0), { [Pi]: t })));
  }
  end(t, e, i) {
    return typeof t == "function" && (i = t, e = void 0, t = void 0), typeof e == "function" && (i = e, e = void 0), t && (e ? this.write(t, e) : this.write(t)), this.flush(this.#n), this.#i = true, super.end(i);
  }
  get ended() {
    return this.#i;
  }
  [Tt](t) {
    return super.write(t);
  }
  write(t, e, i) {
    if (typeof e == "function" && (i = e, e = "utf8"), typeof t == "string" && (t = Ot.from(t, e)), this.#t) return;
    zi(this.#e, "zlib binding closed");
    let r = this.#e._handle, n = r.close;
    r.close = () => {
    };
    let o = this.#e.close;
    this.#e.close = () => {
    }, Bi(true);
    let h;
    try {
      let l = typeof t[Pi] == "number" ? t[Pi] : this.#s;
      h = this.#e._processChunk(t, l), Bi(false);
    } catch (l) {
      Bi(false), this.#o(new Gt(l, this.write));
    } finally {
      this.#e && (this.#e._handle = r, r.close = n, this.#e.close = o, this.#e.removeAllListeners("error"));
    }
    this.#e && this.#e.on("error", (l) => this.#o(new Gt(l, this.write)));
    let a;
    if (h) if (Array.isArray(h) && h.length > 0) {
      let l = h[0];
      a = this[Tt](Ot.from(l));
      for (let c = 1; c < h.length; c++) a = this[Tt](h[c]);
    } else a = this[Tt](Ot.from(h));
    return i && i(), a;
  }
};
var Pe = class extends re {
  #t;
  #i;
  constructor(t, e) {
    t = t || {}, t.flush = t.flush || M.Z_NO_FLUSH, t.finishFlush = t.finishFlush || M.Z_FINISH, t.fullFlushFlag = M.Z_FULL_FLUSH, super(t, e), this.#t = t.level, this.#i = t.strategy;
  }
  params(t, e) {
    if (!this.sawError) {
      if (!this.handle) throw new Error("cannot switch params when binding is closed");
      if (!this.handle.params) throw new Error("not supported in this implementation");
      if (this.#t !== t || this.#i !== e) {
        this.flush(M.Z_SYNC_FLUSH), zi(this.handle, "zlib binding closed");
        let i = this.handle.flush;
        this.handle.flush = (r, n) => {
          typeof r == "function" && (n = r, r = this.flushFlag), this.flush(r), n?.();
        };
        try {
          this.handle.params(t, e);
        } finally {
          this.handle.flush = i;
        }
        this.handle && (this.#t = t, this.#i = e);
      }
    }
  }
};
var ze = class extends Pe {
  #t;
  constructor(t) {
    super(t, "Gzip"), this.#t = t && !!t.portable;
  }
  [Tt](t) {
    return this.#t ? (this.#t = false, t[9] = 255, super[Tt](t)) : super[Tt](t);
  }
};
var Ue = class extends Pe {
  constructor(t) {
    super(t, "Unzip");
  }
};
var He = class extends re {
  constructor(t, e) {
    t = t || {}, t.flush = t.flush || M.BROTLI_OPERATION_PROCESS, t.finishFlush = t.finishFlush || M.BROTLI_OPERATION_FINISH, t.fullFlushFlag = M.BROTLI_OPERATION_FLUSH, super(t, e);
  }
};
var We = class extends He {
  constructor(t) {
    super(t, "BrotliCompress");
  }
};
var Ge = class extends He {
  constructor(t) {
    super(t, "BrotliDecompress");
  }
};
var Ze = class extends re {
  constructor(t, e) {
    t = t || {}, t.flush = t.flush || M.ZSTD_e_continue, t.finishFlush = t.finishFlush || M.ZSTD_e_end, t.fullFlushFlag = M.ZSTD_e_flush, super(t, e);
  }
};
var Ye = class extends Ze {
  constructor(t) {
    super(t, "ZstdCompress");
  }
};
var Ke = class extends Ze {
  constructor(t) {
    super(t, "ZstdDecompress");
  }
};
var Us = (s4, t) => {
  if (Number.isSafeInteger(s4)) s4 < 0 ? an(s4, t) : hn(s4, t);
  else throw Error("cannot encode number outside of javascript safe integer range");
  return t;
};
var hn = (s4, t) => {
  t[0] = 128;
  for (var e = t.length; e > 1; e--) t[e - 1] = s4 & 255, s4 = Math.floor(s4 / 256);
};
var an = (s4, t) => {
  t[0] = 255;
  var e = false;
  s4 = s4 * -1;
  for (var i = t.length; i > 1; i--) {
    var r = s4 & 255;
    s4 = Math.floor(s4 / 256), e ? t[i - 1] = Ws(r) : r === 0 ? t[i - 1] = 0 : (e = true, t[i - 1] = Gs(r));
  }
};
var Hs = (s4) => {
  let t = s4[0], e = t === 128 ? cn(s4.subarray(1, s4.length)) : t === 255 ? ln(s4) : null;
  if (e === null) throw Error("invalid base256 encoding");
  if (!Number.isSafeInteger(e)) throw Error("parsed number outside of javascript safe integer range");
  return e;
};
var ln = (s4) => {
  for (var t = s4.length, e = 0, i = false, r = t - 1; r > -1; r--) {
    var n = Number(s4[r]), o;
    i ? o = Ws(n) : n === 0 ? o = n : (i = true, o = Gs(n)), o !== 0 && (e -= o * Math.pow(256, t - r - 1));
  }
  return e;
};
var cn = (s4) => {
  for (var t = s4.length, e = 0, i = t - 1; i > -1; i--) {
    var r = Number(s4[i]);
    r !== 0 && (e += r * Math.pow(256, t - i - 1));
  }
  return e;
};
var Ws = (s4) => (255 ^ s4) & 255;
var Gs = (s4) => (255 ^ s4) + 1 & 255;
var Hi = {};
Ur(Hi, { code: () => Ve, isCode: () => ne, isName: () => dn, name: () => oe, normalFsTypes: () => Ui });
var ne = (s4) => oe.has(s4);
var dn = (s4) => Ve.has(s4);
var Ui = /* @__PURE__ */ new Set(["0", "", "1", "2", "3", "4", "5", "6", "7", "D"]);
var oe = /* @__PURE__ */ new Map([["0", "File"], ["", "OldFile"], ["1", "Link"], ["2", "SymbolicLink"], ["3", "CharacterDevice"], ["4", "BlockDevice"], ["5", "Directory"], ["6", "FIFO"], ["7", "ContiguousFile"], ["g", "GlobalExtendedHeader"], ["x", "ExtendedHeader"], ["A", "SolarisACL"], ["D", "GNUDumpDir"], ["I", "Inode"], ["K", "NextFileHasLongLinkpath"], ["L", "NextFileHasLongPath"], ["M", "ContinuationFile"], ["N", "OldGnuLongPath"], ["S", "SparseFile"], ["V", "TapeVolumeHeader"], ["X", "OldExtendedHeader"]]);
var Ve = new Map(Array.from(oe).map((s4) => [s4[1], s4[0]]));
var un = (s4) => s4 === void 0 || s4 < 0 ? void 0 : s4;
var F = class {
  cksumValid = false;
  needPax = false;
  nullBlock = false;
  block;
  path;
  mode;
  uid;
  gid;
  size;
  cksum;
  #t = "Unsupported";
  linkpath;
  uname;
  gname;
  devmaj = 0;
  devmin = 0;
  atime;
  ctime;
  mtime;
  charset;
  comment;
  constructor(t, e = 0, i, r) {
    Buffer.isBuffer(t) ? this.decode(t, e || 0, i, r) : t && this.#i(t);
  }
  decode(t, e, i, r) {
    if (e || (e = 0), !t || !(t.length >= e + 512)) throw new Error("need 512 bytes for header");
    let n = xt(t, e + 156, 1), o = Ui.has(n), h = o ? i : void 0, a = o ? r : void 0;
    if (this.path = h?.path ?? xt(t, e, 100), this.mode = h?.mode ?? a?.mode ?? lt(t, e + 100, 8), this.uid = h?.uid ?? a?.uid ?? lt(t, e + 108, 8), this.gid = h?.gid ?? a?.gid ?? lt(t, e + 116, 8), this.size = un(h?.size ?? a?.size ?? lt(t, e + 124, 12)), this.mtime = h?.mtime ?? a?.mtime ?? Wi(t, e + 136, 12), this.cksum = lt(t, e + 148, 12), a && this.#i(a, true), h && this.#i(h), ne(n) && (this.#t = n || "0"), this.#t === "0" && this.path.slice(-1) === "/" && (this.#t = "5"), this.#t === "5" && (this.size = 0), this.linkpath = xt(t, e + 157, 100), t.subarray(e + 257, e + 265).toString() === "ustar\x0000") if (this.uname = h?.uname ?? a?.uname ?? xt(t, e + 265, 32), this.gname = h?.gname ?? a?.gname ?? xt(t, e + 297, 32), this.devmaj = h?.devmaj ?? a?.devmaj ?? lt(t, e + 329, 8) ?? 0, this.devmin = h?.devmin ?? a?.devmin ?? lt(t, e + 337, 8) ?? 0, t[e + 475] !== 0) {
      let c = xt(t, e + 345, 155);
      this.path = c + "/" + this.path;
    } else {
      let c = xt(t, e + 345, 130);
      c && (this.path = c + "/" + this.path), this.atime = i?.atime ?? r?.atime ?? Wi(t, e + 476, 12), this.ctime = i?.ctime ?? r?.ctime ?? Wi(t, e + 488, 12);
    }
    let l = 256;
    for (let c = e; c < e + 148; c++) l += t[c];
    for (let c = e + 156; c < e + 512; c++) l += t[c];
    this.cksumValid = l === this.cksum, this.cksum === void 0 && l === 256 && (this.nullBlock = true);
  }
  #i(t, e = false) {
    Object.assign(this, Object.fromEntries(Object.entries(t).filter(([i, r]) => !(r == null || i === "size" && Number(r) < 0 || i === "path" && e || i === "linkpath" && e || i === "global"))));
  }
  encode(t, e = 0) {
    if (t || (t = this.block = Buffer.alloc(512)), this.#t === "Unsupported" && (this.#t = "0"), !(t.length >= e + 512)) throw new Error("need 512 bytes for header");
    let i = this.ctime || this.atime ? 130 : 155, r = mn(this.path || "", i), n = r[0], o = r[1];
    this.needPax = !!r[2], this.needPax = Lt(t, e, 100, n) || this.needPax, this.needPax = ct(t, e + 100, 8, this.mode) || this.needPax, this.needPax = ct(t, e + 108, 8, this.uid) || this.needPax, this.needPax = ct(t, e + 116, 8, this.gid) || this.needPax, this.needPax = ct(t, e + 124, 12, this.size) || this.needPax, this.needPax = Gi(t, e + 136, 12, this.mtime) || this.needPax, t[e + 156] = Number(this.#t.codePointAt(0)), this.needPax = Lt(t, e + 157, 100, this.linkpath) || this.needPax, t.write("ustar\x0000", e + 257, 8), this.needPax = Lt(t, e + 265, 32, this.uname) || this.needPax, this.needPax = Lt(t, e + 297, 32, this.gname) || this.needPax, this.needPax = ct(t, e + 329, 8, this.devmaj) || this.needPax, this.needPax = ct(t, e + 337, 8, this.devmin) || this.needPax, this.needPax = Lt(t, e + 345, i, o) || this.needPax, t[e + 475] !== 0 ? this.needPax = Lt(t, e + 345, 155, o) || this.needPax : (this.needPax = Lt(t, e + 345, 130, o) || this.needPax, this.needPax = Gi(t, e + 476, 12, this.atime) || this.needPax, this.needPax = Gi(t, e + 488, 12, this.ctime) || this.needPax);
    let h = 256;
    for (let a = e; a < e + 148; a++) h += t[a];
    for (let a = e + 156; a < e + 512; a++) h += t[a];
    return this.cksum = h, ct(t, e + 148, 8, this.cksum), this.cksumValid = true, this.needPax;
  }
  get type() {
    return this.#t === "Unsupported" ? this.#t : oe.get(this.#t);
  }
  get typeKey() {
    return this.#t;
  }
  set type(t) {
    let e = String(Ve.get(t));
    if (ne(e) || e === "Unsupported") this.#t = e;
    else if (ne(t)) this.#t = t;
    else throw new TypeError("invalid entry type: " + t);
  }
};
var mn = (s4, t) => {
  let i = s4, r = "", n, o = Zt.parse(s4).root || ".";
  if (Buffer.byteLength(i) < 100) n = [i, r, false];
  else {
    r = Zt.dirname(i), i = Zt.basename(i);
    do
      Buffer.byteLength(i) <= 100 && Buffer.byteLength(r) <= t ? n = [i, r, false] : Buffer.byteLength(i) > 100 && Buffer.byteLength(r) <= t ? n = [i.slice(0, 99), r, true] : (i = Zt.join(Zt.basename(r), i), r = Zt.dirname(r));
    while (r !== o && n === void 0);
    n || (n = [s4.slice(0, 99), "", true]);
  }
  return n;
};
var xt = (s4, t, e) => s4.subarray(t, t + e).toString("utf8").replace(/\0.*/, "");
var Wi = (s4, t, e) => pn(lt(s4, t, e));
var pn = (s4) => s4 === void 0 ? void 0 : new Date(s4 * 1e3);
var lt = (s4, t, e) => Number(s4[t]) & 128 ? Hs(s4.subarray(t, t + e)) : wn(s4, t, e);
var En = (s4) => isNaN(s4) ? void 0 : s4;
var wn = (s4, t, e) => En(parseInt(s4.subarray(t, t + e).toString("utf8").replace(/\0.*$/, "").trim(), 8));
var Sn = { 12: 8589934591, 8: 2097151 };
var ct = (s4, t, e, i) => i === void 0 ? false : i > Sn[e] || i < 0 ? (Us(i, s4.subarray(t, t + e)), true) : (yn(s4, t, e, i), false);
var yn = (s4, t, e, i) => s4.write(Rn(i, e), t, e, "ascii");
var Rn = (s4, t) => gn(Math.floor(s4).toString(8), t);
var gn = (s4, t) => (s4.length === t - 1 ? s4 : new Array(t - s4.length - 1).join("0") + s4 + " ") + "\0";
var Gi = (s4, t, e, i) => i === void 0 ? false : ct(s4, t, e, i.getTime() / 1e3);
var bn = new Array(156).join("\0");
var Lt = (s4, t, e, i) => i === void 0 ? false : (s4.write(i + bn, t, e, "utf8"), i.length !== Buffer.byteLength(i) || i.length > e);
var ft = class s {
  atime;
  mtime;
  ctime;
  charset;
  comment;
  gid;
  uid;
  gname;
  uname;
  linkpath;
  dev;
  ino;
  nlink;
  path;
  size;
  mode;
  global;
  constructor(t, e = false) {
    this.atime = t.atime, this.charset = t.charset, this.comment = t.comment, this.ctime = t.ctime, this.dev = t.dev, this.gid = t.gid, this.global = e, this.gname = t.gname, this.ino = t.ino, this.linkpath = t.linkpath, this.mtime = t.mtime, this.nlink = t.nlink, this.path = t.path, this.size = t.size, this.uid = t.uid, this.uname = t.uname;
  }
  encode() {
    let t = this.encodeBody();
    if (t === "") return Buffer.allocUnsafe(0);
    let e = Buffer.byteLength(t), i = 512 * Math.ceil(1 + e / 512), r = Buffer.allocUnsafe(i);
    for (let n = 0; n < 512; n++) r[n] = 0;
    new F({ path: ("PaxHeader/" + _n(this.path ?? "")).slice(0, 99), mode: this.mode || 420, uid: this.uid, gid: this.gid, size: e, mtime: this.mtime, type: this.global ? "GlobalExtendedHeader" : "ExtendedHeader", linkpath: "", uname: this.uname || "", gname: this.gname || "", devmaj: 0, devmin: 0, atime: this.atime, ctime: this.ctime }).encode(r), r.write(t, 512, e, "utf8");
    for (let n = e + 512; n < r.length; n++) r[n] = 0;
    return r;
  }
  encodeBody() {
    return this.encodeField("path") + this.encodeField("ctime") + this.encodeField("atime") + this.encodeField("dev") + this.encodeField("ino") + this.encodeField("nlink") + this.encodeField("charset") + this.encodeField("comment") + this.encodeField("gid") + this.encodeField("gname") + this.encodeField("linkpath") + this.encodeField("mtime") + this.encodeField("size") + this.encodeField("uid") + this.encodeField("uname");
  }
  encodeField(t) {
    if (this[t] === void 0) return "";
    let e = this[t], i = e instanceof Date ? e.getTime() / 1e3 : e, r = " " + (t === "dev" || t === "ino" || t === "nlink" ? "SCHILY." : "") + t + "=" + i + `
`, n = Buffer.byteLength(r), o = Math.floor(Math.log(n) / Math.log(10)) + 1;
    return n + o >= Math.pow(10, o) && (o += 1), o + n + r;
  }
  static parse(t, e, i = false) {
    return new s(On(Tn(t), e), i);
  }
};
var On = (s4, t) => t ? Object.assign({}, t, s4) : s4;
var Tn = (s4) => s4.replace(/\n$/, "").split(`
`).reduce(xn, /* @__PURE__ */ Object.create(null));
var xn = (s4, t) => {
  let e = parseInt(t, 10);
  if (e !== Buffer.byteLength(t) + 1) return s4;
  t = t.slice((e + " ").length);
  let i = t.split("="), r = i.shift();
  if (!r) return s4;
  let n = r.replace(/^SCHILY\.(dev|ino|nlink)/, "$1"), o = i.join("=").replace(/\0.*/, "");
  switch (n) {
    case "path":
    case "linkpath":
    case "type":
    case "charset":
    case "comment":
    case "gname":
    case "uname":
      s4[n] = o;
      break;
    case "ctime":
    case "atime":
    case "mtime":
      s4[n] = new Date(Number(o) * 1e3);
      break;
    case "size":
      let h = +o;
      h >= 0 && (s4[n] = h);
      break;
    case "gid":
    case "uid":
    case "dev":
    case "ino":
    case "nlink":
    case "mode":
      s4[n] = +o;
      break;
  }
  return s4;
};
var Ln = process.env.TESTING_TAR_FAKE_PLATFORM || process.platform;
var f = Ln !== "win32" ? (s4) => String(s4) : (s4) => String(s4).replaceAll(/\\/g, "/");
var $e = class extends A {
  extended;
  globalExtended;
  header;
  startBlockSize;
  blockRemain;
  remain;
  type;
  meta = false;
  ignore = false;
  path;
  mode;
  uid;
  gid;
  uname;
  gname;
  size = 0;
  mtime;
  atime;
  ctime;
  linkpath;
  dev;
  ino;
  nlink;
  invalid = false;
  absolute;
  unsupported = false;
  constructor(t, e, i) {
    switch (super({}), this.pause(), this.extended = e, this.globalExtended = i, this.header = t, this.remain = t.size ?? 0, this.startBlockSize = 512 * Math.ceil(this.remain / 512), this.blockRemain = this.startBlockSize, this.type = t.type, this.type) {
      case "File":
      case "OldFile":
      case "Link":
      case "SymbolicLink":
      case "CharacterDevice":
      case "BlockDevice":
      case "Directory":
      case "FIFO":
      case "ContiguousFile":
      case "GNUDumpDir":
        break;
      case "NextFileHasLongLinkpath":
      case "NextFileHasLongPath":
      case "OldGnuLongPath":
      case "GlobalExtendedHeader":
      case "ExtendedHeader":
      case "OldExtendedHeader":
        this.meta = true;
        break;
      default:
        this.ignore = true;
    }
    if (!t.path) throw new Error("no path provided for tar.ReadEntry");
    this.path = f(t.path), this.mode = t.mode, this.mode && (this.mode = this.mode & 4095), this.uid = t.uid, this.gid = t.gid, this.uname = t.uname, this.gname = t.gname, this.size = this.remain, this.mtime = t.mtime, this.atime = t.atime, this.ctime = t.ctime, this.linkpath = t.linkpath ? f(t.linkpath) : void 0, this.uname = t.uname, this.gname = t.gname, e && this.#t(e), i && this.#t(i, true);
  }
  write(t) {
    let e = t.length;
    if (e > this.blockRemain) throw new Error("writing more to entry than is appropriate");
    let i = this.remain, r = this.blockRemain;
    return this.remain = Math.max(0, i - e), this.blockRemain = Math.max(0, r - e), this.ignore ? true : i >= e ? super.write(t) : super.write(t.subarray(0, i));
  }
  #t(t, e = false) {
    t.path && (t.path = f(t.path)), t.linkpath && (t.linkpath = f(t.linkpath)), Object.assign(this, Object.fromEntries(Object.entries(t).filter(([i, r]) => !(r == null || i === "path" && e))));
  }
};
var Dt = (s4, t, e, i = {}) => {
  s4.file && (i.file = s4.file), s4.cwd && (i.cwd = s4.cwd), i.code = e instanceof Error && e.code || t, i.tarCode = t, !s4.strict && i.recoverable !== false ? (e instanceof Error && (i = Object.assign(e, i), e = e.message), s4.emit("warn", t, e, i)) : e instanceof Error ? s4.emit("error", Object.assign(e, i)) : s4.emit("error", Object.assign(new Error(`${t}: ${e}`), i));
};
var Nn = 1024 * 1024;
var Xi = Buffer.from([31, 139]);
var qi = Buffer.from([40, 181, 47, 253]);
var An = Math.max(Xi.length, qi.length);
var B = Symbol("state");
var Nt = Symbol("writeEntry");
var it = Symbol("readEntry");
var Zi = Symbol("nextEntry");
var Zs = Symbol("processEntry");
var V = Symbol("extendedHeader");
var he = Symbol("globalExtendedHeader");
var dt = Symbol("meta");
var Ys = Symbol("emitMeta");
var p = Symbol("buffer");
var st = Symbol("queue");
var ut = Symbol("ended");
var Yi = Symbol("emittedEnd");
var At = Symbol("emit");
var w = Symbol("unzip");
var Xe = Symbol("consumeChunk");
var qe = Symbol("consumeChunkSub");
var Ki = Symbol("consumeBody");
var Ks = Symbol("consumeMeta");
var Vs = Symbol("consumeHeader");
var ae = Symbol("consuming");
var Vi = Symbol("bufferConcat");
var Qe = Symbol("maybeEnd");
var Yt = Symbol("writing");
var $ = Symbol("aborted");
var Je = Symbol("onDone");
var It = Symbol("sawValidEntry");
var je = Symbol("sawNullBlock");
var ti = Symbol("sawEOF");
var $s = Symbol("closeStream");
var In = 1e3;
var le = Symbol("compressedBytesRead");
var $i = Symbol("decompressedBytesRead");
var Xs = Symbol("checkDecompressionRatio");
var Cn = () => true;
var rt = class extends Dn {
  file;
  strict;
  maxMetaEntrySize;
  filter;
  brotli;
  zstd;
  maxDecompressionRatio;
  writable = true;
  readable = false;
  [st] = [];
  [p];
  [it];
  [Nt];
  [B] = "begin";
  [dt] = "";
  [V];
  [he];
  [ut] = false;
  [w];
  [$] = false;
  [It];
  [je] = false;
  [ti] = false;
  [Yt] = false;
  [ae] = false;
  [Yi] = false;
  [le] = 0;
  [$i] = 0;
  constructor(t = {}) {
    super(), this.file = t.file || "", this.on(Je, () => {
      (this[B] === "begin" || this[It] === false) && this.warn("TAR_BAD_ARCHIVE", "Unrecognized archive format");
    }), t.ondone ? this.on(Je, t.ondone) : this.on(Je, () => {
      this.emit("prefinish"), this.emit("finish"), this.emit("end");
    }), this.strict = !!t.strict, this.maxDecompressionRatio = typeof t.maxDecompressionRatio == "number" ? t.maxDecompressionRatio : In, this.maxMetaEntrySize = t.maxMetaEntrySize || Nn, this.filter = typeof t.filter == "function" ? t.filter : Cn;
    let e = t.file && (t.file.endsWith(".tar.br") || t.file.endsWith(".tbr"));
    this.brotli = !(t.gzip || t.zstd) && t.brotli !== void 0 ? t.brotli : e ? void 0 : false;
    let i = t.file && (t.file.endsWith(".tar.zst") || t.file.endsWith(".tzst"));
    this.zstd = !(t.gzip || t.brotli) && t.zstd !== void 0 ? t.zstd : i ? true : void 0, this.on("end", () => this[$s]()), typeof t.onwarn == "function" && this.on("warn", t.onwarn), typeof t.onReadEntry == "function" && this.on("entry", t.onReadEntry);
  }
  warn(t, e, i = {}) {
    Dt(this, t, e, i);
  }
  [Vs](t, e) {
    this[It] === void 0 && (this[It] = false);
    let i;
    try {
      i = new F(t, e, this[V], this[he]);
    } catch (r) {
      return this.warn("TAR_ENTRY_INVALID", r);
    }
    if (i.nullBlock) this[je] ? (this[ti] = true, this[B] === "begin" && (this[B] = "header"), this[At]("eof")) : (this[je] = true, this[At]("nullBlock"));
    else if (this[je] = false, !i.cksumValid) this.warn("TAR_ENTRY_INVALID", "checksum failure", { header: i });
    else if (!i.path) this.warn("TAR_ENTRY_INVALID", "path is required", { header: i });
    else {
      let r = i.type;
      if (/^(Symbolic)?Link$/.test(r) && !i.linkpath) this.warn("TAR_ENTRY_INVALID", "linkpath required", { header: i });
      else if (!/^(Symbolic)?Link$/.test(r) && !/^(Global)?ExtendedHeader$/.test(r) && i.linkpath) this.warn("TAR_ENTRY_INVALID", "linkpath forbidden", { header: i });
      else {
        let n = this[Nt] = new $e(i, this[V], this[he]);
        if (!this[It]) if (n.remain) {
          let o = () => {
            n.invalid || (this[It] = true);
          };
          n.on("end", o);
        } else this[It] = true;
        n.meta ? n.size > this.maxMetaEntrySize ? (n.ignore = true, this[At]("ignoredEntry", n), this[B] = "ignore", n.resume()) : n.size > 0 && (this[dt] = "", n.on("data", (o) => this[dt] += o), this[B] = "meta") : (this[V] = void 0, n.ignore = n.ignore || !this.filter(n.path, n), n.ignore ? (this[At]("ignoredEntry", n), this[B] = n.remain ? "ignore" : "header", n.resume()) : (n.remain ? this[B] = "body" : (this[B] = "header", n.end()), this[it] ? this[st].push(n) : (this[st].push(n), this[Zi]())));
      }
    }
  }
  [$s]() {
    queueMicrotask(() => this.emit("close"));
  }
  [Zs](t) {
    let e = true;
    if (!t) this[it] = void 0, e = false;
    else if (Array.isArray(t)) {
      let [i, ...r] = t;
      this.emit(i, ...r);
    } else this[it] = t, this.emit("entry", t), t.emittedEnd || (t.on("end", () => this[Zi]()), e = false);
    return e;
  }
  [Zi]() {
    do
      ;
    while (this[Zs](this[st].shift()));
    if (this[st].length === 0) {
      let t = this[it];
      !t || t.flowing || t.size === t.remain ? this[Yt] || this.emit("drain") : t.once("drain", () => this.emit("drain"));
    }
  }
  [Ki](t, e) {
    let i = this[Nt];
    if (!i) throw new Error("attempt to consume body without entry??");
    let r = i.blockRemain ?? 0, n = r >= t.length && e === 0 ? t : t.subarray(e, e + r);
    return i.write(n), i.blockRemain || (this[B] = "header", this[Nt] = void 0, i.end()), n.length;
  }
  [Ks](t, e) {
    let i = this[Nt], r = this[Ki](t, e);
    return !this[Nt] && i && this[Ys](i), r;
  }
  [At](t, e, i) {
    this[st].length === 0 && !this[it] ? this.emit(t, e, i) : this[st].push([t, e, i]);
  }
  [Ys](t) {
    switch (this[At]("meta", this[dt]), t.type) {
      case "ExtendedHeader":
      case "OldExtendedHeader":
        this[V] = ft.parse(this[dt], this[V], false);
        break;
      case "GlobalExtendedHeader":
        this[he] = ft.parse(this[dt], this[he], true);
        break;
      case "NextFileHasLongPath":
      case "OldGnuLongPath": {
        let e = this[V] ?? /* @__PURE__ */ Object.create(null);
        this[V] = e, e.path = this[dt].replace(/\0.*/, "");
        break;
      }
      case "NextFileHasLongLinkpath": {
        let e = this[V] || /* @__PURE__ */ Object.create(null);
        this[V] = e, e.linkpath = this[dt].replace(/\0.*/, "");
        break;
      }
      default:
        throw new Error("unknown meta: " + t.type);
    }
  }
  abort(t) {
    if (!this[$]) {
      if (this[w]) {
        let e = this[w];
        e.write = () => true, e.end = () => e, e.emit = () => false, e.destroy?.();
      }
      this[$] = true, this.emit("abort", t), this.warn("TAR_ABORT", t, { recoverable: false });
    }
  }
  [Xs](t) {
    this[$i] += t.length;
    let e = this[$i] / this[le];
    return e > this.maxDecompressionRatio ? (this.abort(new Error(`max decompression ratio exceeded: ${e.toFixed(2)} > ${this.maxDecompressionRatio}`)), false) : true;
  }
  write(t, e, i) {
    if (typeof e == "function" && (i = e, e = void 0), typeof t == "string" && (t = Buffer.from(t, typeof e == "string" ? e : "utf8")), this[$]) return i?.(), false;
    if ((this[w] === void 0 || this.brotli === void 0 && this[w] === false) && t) {
      if (this[p] && (t = Buffer.concat([this[p], t]), this[p] = void 0), t.length < An) return this[p] = t, i?.(), true;
      for (let a = 0; this[w] === void 0 && a < Xi.length; a++) t[a] !== Xi[a] && (this[w] = false);
      let o = false;
      if (this[w] === false && this.zstd !== false) {
        o = true;
        for (let a = 0; a < qi.length; a++) if (t[a] !== qi[a]) {
          o = false;
          break;
        }
      }
      let h = this.brotli === void 0 && !o;
      if (this[w] === false && h) if (t.length < 512) if (this[ut]) this.brotli = true;
      else return this[p] = t, i?.(), true;
      else try {
        new F(t.subarray(0, 512)), this.brotli = false;
      } catch {
        this.brotli = true;
      }
      if (this[w] === void 0 || this[w] === false && (this.brotli || o)) {
        let a = this[ut];
        this[ut] = false, this[w] = this[w] === void 0 ? new Ue({}) : o ? new Ke({}) : new Ge({}), this[w].on("data", (c) => {
          this[Xs](c) && this[Xe](c);
        }), this[w].on("error", (c) => {
          this[$] || this.abort(c);
        }), this[w].on("end", () => {
          this[ut] = true, this[Xe]();
        }), this[Yt] = true, this[le] += t.length;
        let l = !!this[w][a ? "end" : "write"](t);
        return this[Yt] = false, i?.(), l;
      }
    }
    this[Yt] = true, this[w] ? (this[le] += t.length, this[w].write(t)) : this[Xe](t), this[Yt] = false;
    let n = this[st].length > 0 ? false : this[it] ? this[it].flowing : true;
    return !n && this[st].length === 0 && this[it]?.once("drain", () => this.emit("drain")), i?.(), n;
  }
  [Vi](t) {
    t && !this[$] && (this[p] = this[p] ? Buffer.concat([this[p], t]) : t);
  }
  [Qe]() {
    if (this[ut] && !this[Yi] && !this[$] && !this[ae]) {
      this[Yi] = true;
      let t = this[Nt];
      if (t?.blockRemain) {
        let e = this[p] ? this[p].length : 0;
        this.warn("TAR_BAD_ARCHIVE", `Truncated input (needed ${t.blockRemain} more bytes, only ${e} available)`, { entry: t }), this[p] && t.write(this[p]), t.end();
      }
      this[At](Je);
    }
  }
  [Xe](t) {
    if (this[ae] && t) this[Vi](t);
    else if (!t && !this[p]) this[Qe]();
    else if (t) {
      if (this[ae] = true, this[p]) {
        this[Vi](t);
        let e = this[p];
        this[p] = void 0, this[qe](e);
      } else this[qe](t);
      for (; this[p] && this[p]?.length >= 512 && !this[$] && !this[ti]; ) {
        let e = this[p];
        this[p] = void 0, this[qe](e);
      }
      this[ae] = false;
    }
    (!this[p] || this[ut]) && this[Qe]();
  }
  [qe](t) {
    let e = 0, i = t.length;
    for (; e + 512 <= i && !this[$] && !this[ti]; ) switch (this[B]) {
      case "begin":
      case "header":
        this[Vs](t, e), e += 512;
        break;
      case "ignore":
      case "body":
        e += this[Ki](t, e);
        break;
      case "meta":
        e += this[Ks](t, e);
        break;
      default:
        throw new Error("invalid state: " + this[B]);
    }
    e < i && (this[p] = this[p] ? Buffer.concat([t.subarray(e), this[p]]) : t.subarray(e));
  }
  end(t, e, i) {
    return typeof t == "function" && (i = t, e = void 0, t = void 0), typeof e == "function" && (i = e, e = void 0), typeof t == "string" && (t = Buffer.from(t, e)), i && this.once("finish", i), this[$] || (this[w] ? (t && (this[le] += t.length, this[w].write(t)), this[w].end()) : (this[ut] = true, (this.brotli === void 0 || this.zstd === void 0) && (t = t || Buffer.alloc(0)), t && this.write(t), this[Qe]())), this;
  }
};
var mt = (s4) => {
  let t = s4.length - 1, e = -1;
  for (; t > -1 && s4.charAt(t) === "/"; ) e = t, t--;
  return e === -1 ? s4 : s4.slice(0, e);
};
var vn = (s4) => {
  let t = s4.onReadEntry;
  s4.onReadEntry = t ? (e) => {
    t(e), e.resume();
  } : (e) => e.resume();
};
var Qi = (s4, t) => {
  let e = new Map(t.map((o) => [mt(o), true])), i = s4.filter, r = 100, n = (o, h = "", a = 0) => {
    if (a >= r) return e.set(o, false), false;
    let l = h || kn(o).root || ".", c;
    if (o === l) c = false;
    else {
      let d = e.get(o);
      c = d !== void 0 ? d : n(Fn(o), l, a + 1);
    }
    return e.set(o, c), c;
  };
  s4.filter = i ? (o, h) => i(o, h) && n(mt(o)) : (o) => n(mt(o));
};
var Mn = (s4) => {
  let t = new rt(s4), e = s4.file, i;
  try {
    i = Kt.openSync(e, "r");
    let r = Kt.fstatSync(i), n = s4.maxReadSize || 16 * 1024 * 1024;
    if (r.size < n) {
      let o = Buffer.allocUnsafe(r.size), h = Kt.readSync(i, o, 0, r.size, 0);
      t.end(h === o.byteLength ? o : o.subarray(0, h));
    } else {
      let o = 0, h = Buffer.allocUnsafe(n);
      for (; o < r.size; ) {
        let a = Kt.readSync(i, h, 0, n, o);
        if (a === 0) break;
        o += a, t.write(h.subarray(0, a));
      }
      t.end();
    }
  } finally {
    if (typeof i == "number") try {
      Kt.closeSync(i);
    } catch {
    }
  }
};
var Bn = (s4, t) => {
  let e = new rt(s4), i = s4.maxReadSize || 16 * 1024 * 1024, r = s4.file;
  return new Promise((o, h) => {
    e.on("error", h), e.on("end", o), Kt.stat(r, (a, l) => {
      if (a) h(a);
      else {
        let c = new _t(r, { readSize: i, size: l.size });
        c.on("error", h), c.pipe(e);
      }
    });
  });
};
var Ct = K(Mn, Bn, (s4) => new rt(s4), (s4) => new rt(s4), (s4, t) => {
  t?.length && Qi(s4, t), s4.noResume || vn(s4);
});
var Ji = (s4, t, e) => (s4 &= 4095, e && (s4 = (s4 | 384) & -19), t && (s4 & 256 && (s4 |= 64), s4 & 32 && (s4 |= 8), s4 & 4 && (s4 |= 1)), s4);
var { isAbsolute: zn, parse: qs } = Pn;
var ce = (s4) => {
  let t = "", e = qs(s4);
  for (; zn(s4) || e.root; ) {
    let i = s4.charAt(0) === "/" && s4.slice(0, 4) !== "//?/" ? "/" : e.root;
    s4 = s4.slice(i.length), t += i, e = qs(s4);
  }
  return [t, s4];
};
var ei = ["|", "<", ">", "?", ":"];
var ji = ei.map((s4) => String.fromCodePoint(61440 + Number(s4.codePointAt(0))));
var Un = new Map(ei.map((s4, t) => [s4, ji[t]]));
var Hn = new Map(ji.map((s4, t) => [s4, ei[t]]));
var ts = (s4) => ei.reduce((t, e) => t.split(e).join(Un.get(e)), s4);
var Qs = (s4) => ji.reduce((t, e) => t.split(e).join(Hn.get(e)), s4);
var rr = (s4, t) => t ? (s4 = f(s4).replace(/^\.(\/|$)/, ""), mt(t) + "/" + s4) : f(s4);
var Wn = 16 * 1024 * 1024;
var tr = Symbol("process");
var er = Symbol("file");
var ir = Symbol("directory");
var is = Symbol("symlink");
var sr = Symbol("hardlink");
var fe = Symbol("header");
var ii = Symbol("read");
var ss = Symbol("lstat");
var si = Symbol("onlstat");
var rs = Symbol("onread");
var ns = Symbol("onreadlink");
var os = Symbol("openfile");
var hs = Symbol("onopenfile");
var pt = Symbol("close");
var ri = Symbol("mode");
var as = Symbol("awaitDrain");
var es = Symbol("ondrain");
var q = Symbol("prefix");
var de = class extends A {
  path;
  portable;
  myuid = process.getuid && process.getuid() || 0;
  myuser = process.env.USER || "";
  maxReadSize;
  linkCache;
  statCache;
  preservePaths;
  cwd;
  strict;
  mtime;
  noPax;
  noMtime;
  prefix;
  fd;
  blockLen = 0;
  blockRemain = 0;
  buf;
  pos = 0;
  remain = 0;
  length = 0;
  offset = 0;
  win32;
  absolute;
  header;
  type;
  linkpath;
  stat;
  onWriteEntry;
  #t = false;
  constructor(t, e = {}) {
    let i = se(e);
    super(), this.path = f(t), this.portable = !!i.portable, this.maxReadSize = i.maxReadSize || Wn, this.linkCache = i.linkCache || /* @__PURE__ */ new Map(), this.statCache = i.statCache || /* @__PURE__ */ new Map(), this.preservePaths = !!i.preservePaths, this.cwd = f(i.cwd || process.cwd()), this.strict = !!i.strict, this.noPax = !!i.noPax, this.noMtime = !!i.noMtime, this.mtime = i.mtime, this.prefix = i.prefix ? f(i.prefix) : void 0, this.onWriteEntry = i.onWriteEntry, typeof i.onwarn == "function" && this.on("warn", i.onwarn);
    let r = false;
    if (!this.preservePaths) {
      let [o, h] = ce(this.path);
      o && typeof h == "string" && (this.path = h, r = o);
    }
    this.win32 = !!i.win32 || process.platform === "win32", this.win32 && (this.path = Qs(this.path.replaceAll(/\\/g, "/")), t = t.replaceAll(/\\/g, "/")), this.absolute = f(i.absolute || js.resolve(this.cwd, t)), this.path === "" && (this.path = "./"), r && this.warn("TAR_ENTRY_INFO", `stripping ${r} from absolute path`, { entry: this, path: r + this.path });
    let n = this.statCache.get(this.absolute);
    n ? this[si](n) : this[ss]();
  }
  warn(t, e, i = {}) {
    return Dt(this, t, e, i);
  }
  emit(t, ...e) {
    return t === "error" && (this.#t = true), super.emit(t, ...e);
  }
  [ss]() {
    X.lstat(this.absolute, (t, e) => {
      if (t) return this.emit("error", t);
      this[si](e);
    });
  }
  [si](t) {
    this.statCache.set(this.absolute, t), this.stat = t, t.isFile() || (t.size = 0), this.type = Gn(t), this.emit("stat", t), this[tr]();
  }
  [tr]() {
    switch (this.type) {
      case "File":
        return this[er]();
      case "Directory":
        return this[ir]();
      case "SymbolicLink":
        return this[is]();
      default:
        return this.end();
    }
  }
  [ri](t) {
    return Ji(t, this.type === "Directory", this.portable);
  }
  [q](t) {
    return rr(t, this.prefix);
  }
  [fe]() {
    if (!this.stat) throw new Error("cannot write header before stat");
    this.type === "Directory" && this.portable && (this.noMtime = true), this.onWriteEntry?.(this), this.header = new F({ path: this[q](this.path), linkpath: this.type === "Link" && this.linkpath !== void 0 ? this[q](this.linkpath) : this.linkpath, mode: this[ri](this.stat.mode), uid: this.portable ? void 0 : this.stat.uid, gid: this.portable ? void 0 : this.stat.gid, size: this.stat.size, mtime: this.noMtime ? void 0 : this.mtime || this.stat.mtime, type: this.type === "Unsupported" ? void 0 : this.type, uname: this.portable ? void 0 : this.stat.uid === this.myuid ? this.myuser : "", atime: this.portable ? void 0 : this.stat.atime, ctime: this.portable ? void 0 : this.stat.ctime }), this.header.encode() && !this.noPax && super.write(new ft({ atime: this.portable ? void 0 : this.header.atime, ctime: this.portable ? void 0 : this.header.ctime, gid: this.portable ? void 0 : this.header.gid, mtime: this.noMtime ? void 0 : this.mtime || this.header.mtime, path: this[q](this.path), linkpath: this.type === "Link" && this.linkpath !== void 0 ? this[q](this.linkpath) : this.linkpath, size: this.header.size, uid: this.portable ? void 0 : this.header.uid, uname: this.portable ? void 0 : this.header.uname, dev: this.portable ? void 0 : this.stat.dev, ino: this.portable ? void 0 : this.stat.ino, nlink: this.portable ? void 0 : this.stat.nlink }).encode());
    let t = this.header?.block;
    if (!t) throw new Error("failed to encode header");
    super.write(t);
  }
  [ir]() {
    if (!this.stat) throw new Error("cannot create directory entry without stat");
    this.path.slice(-1) !== "/" && (this.path += "/"), this.stat.size = 0, this[fe](), this.end();
  }
  [is]() {
    X.readlink(this.absolute, (t, e) => {
      if (t) return this.emit("error", t);
      this[ns](e);
    });
  }
  [ns](t) {
    this.linkpath = f(t), this[fe](), this.end();
  }
  [sr](t) {
    if (!this.stat) throw new Error("cannot create link entry without stat");
    this.type = "Link", this.linkpath = f(js.relative(this.cwd, t)), this.stat.size = 0, this[fe](), this.end();
  }
  [er]() {
    if (!this.stat) throw new Error("cannot create file entry without stat");
    if (this.stat.nlink > 1) {
      let t = `${this.stat.dev}:${this.stat.ino}`, e = this.linkCache.get(t);
      if (e?.indexOf(this.cwd) === 0) return this[sr](e);
      this.linkCache.set(t, this.absolute);
    }
    if (this[fe](), this.stat.size === 0) return this.end();
    this[os]();
  }
  [os]() {
    X.open(this.absolute, "r", (t, e) => {
      if (t) return this.emit("error", t);
      this[hs](e);
    });
  }
  [hs](t) {
    if (this.fd = t, this.#t) return this[pt]();
    if (!this.stat) throw new Error("should stat before calling onopenfile");
    this.blockLen = 512 * Math.ceil(this.stat.size / 512), this.blockRemain = this.blockLen;
    let e = Math.min(this.blockLen, this.maxReadSize);
    this.buf = Buffer.allocUnsafe(e), this.offset = 0, this.pos = 0, this.remain = this.stat.size, this.length = this.buf.length, this[ii]();
  }
  [ii]() {
    let { fd: t, buf: e, offset: i, length: r, pos: n } = this;
    if (t === void 0 || e === void 0) throw new Error("cannot read file without first opening");
    X.read(t, e, i, r, n, (o, h) => {
      if (o) return this[pt](() => this.emit("error", o));
      this[rs](h);
    });
  }
  [pt](t = () => {
  }) {
    this.fd !== void 0 && X.close(this.fd, t);
  }
  [rs](t) {
    if (t <= 0 && this.remain > 0) {
      let r = Object.assign(new Error("encountered unexpected EOF"), { path: this.absolute, syscall: "read", code: "EOF" });
      return this[pt](() => this.emit("error", r));
    }
    if (t > this.remain) {
      let r = Object.assign(new Error("did not encounter expected EOF"), { path: this.absolute, syscall: "read", code: "EOF" });
      return this[pt](() => this.emit("error", r));
    }
    if (!this.buf) throw new Error("should have created buffer prior to reading");
    if (t === this.remain) for (let r = t; r < this.length && t < this.blockRemain; r++) this.buf[r + this.offset] = 0, t++, this.remain++;
    let e = this.offset === 0 && t === this.buf.length ? this.buf : this.buf.subarray(this.offset, this.offset + t);
    this.write(e) ? this[es]() : this[as](() => this[es]());
  }
  [as](t) {
    this.once("drain", t);
  }
  write(t, e, i) {
    if (typeof e == "function" && (i = e, e = void 0), typeof t == "string" && (t = Buffer.from(t, typeof e == "string" ? e : "utf8")), this.blockRemain < t.length) {
      let r = Object.assign(new Error("writing more data than expected"), { path: this.absolute });
      return this.emit("error", r);
    }
    return this.remain -= t.length, this.blockRemain -= t.length, this.pos += t.length, this.offset += t.length, super.write(t, null, i);
  }
  [es]() {
    if (!this.remain) return this.blockRemain && super.write(Buffer.alloc(this.blockRemain)), this[pt]((t) => t ? this.emit("error", t) : this.end());
    if (!this.buf) throw new Error("buffer lost somehow in ONDRAIN");
    this.offset >= this.length && (this.buf = Buffer.allocUnsafe(Math.min(this.blockRemain, this.buf.length)), this.offset = 0), this.length = this.buf.length - this.offset, this[ii]();
  }
};
var ni = class extends de {
  sync = true;
  [ss]() {
    this[si](X.lstatSync(this.absolute));
  }
  [is]() {
    this[ns](X.readlinkSync(this.absolute));
  }
  [os]() {
    this[hs](X.openSync(this.absolute, "r"));
  }
  [ii]() {
    let t = true;
    try {
      let { fd: e, buf: i, offset: r, length: n, pos: o } = this;
      if (e === void 0 || i === void 0) throw new Error("fd and buf must be set in READ method");
      let h = X.readSync(e, i, r, n, o);
      this[rs](h), t = false;
    } finally {
      if (t) try {
        this[pt](() => {
        });
      } catch {
      }
    }
  }
  [as](t) {
    t();
  }
  [pt](t = () => {
  }) {
    this.fd !== void 0 && X.closeSync(this.fd), t();
  }
};
var oi = class extends A {
  blockLen = 0;
  blockRemain = 0;
  buf = 0;
  pos = 0;
  remain = 0;
  length = 0;
  preservePaths;
  portable;
  strict;
  noPax;
  noMtime;
  readEntry;
  type;
  prefix;
  path;
  mode;
  uid;
  gid;
  uname;
  gname;
  header;
  mtime;
  atime;
  ctime;
  linkpath;
  size;
  onWriteEntry;
  warn(t, e, i = {}) {
    return Dt(this, t, e, i);
  }
  constructor(t, e = {}) {
    let i = se(e);
    super(), this.preservePaths = !!i.preservePaths, this.portable = !!i.portable, this.strict = !!i.strict, this.noPax = !!i.noPax, this.noMtime = !!i.noMtime, this.onWriteEntry = i.onWriteEntry, this.readEntry = t;
    let { type: r } = t;
    if (r === "Unsupported") throw new Error("writing entry that should be ignored");
    this.type = r, this.type === "Directory" && this.portable && (this.noMtime = true), this.prefix = i.prefix, this.path = f(t.path), this.mode = t.mode !== void 0 ? this[ri](t.mode) : void 0, this.uid = this.portable ? void 0 : t.uid, this.gid = this.portable ? void 0 : t.gid, this.uname = this.portable ? void 0 : t.uname, this.gname = this.portable ? void 0 : t.gname, this.size = t.size, this.mtime = this.noMtime ? void 0 : i.mtime || t.mtime, this.atime = this.portable ? void 0 : t.atime, this.ctime = this.portable ? void 0 : t.ctime, this.linkpath = t.linkpath !== void 0 ? f(t.linkpath) : void 0, typeof i.onwarn == "function" && this.on("warn", i.onwarn);
    let n = false;
    if (!this.preservePaths) {
      let [h, a] = ce(this.path);
      h && typeof a == "string" && (this.path = a, n = h);
    }
    this.remain = t.size, this.blockRemain = t.startBlockSize, this.onWriteEntry?.(this), this.header = new F({ path: this[q](this.path), linkpath: this.type === "Link" && this.linkpath !== void 0 ? this[q](this.linkpath) : this.linkpath, mode: this.mode, uid: this.portable ? void 0 : this.uid, gid: this.portable ? void 0 : this.gid, size: this.size, mtime: this.noMtime ? void 0 : this.mtime, type: this.type, uname: this.portable ? void 0 : this.uname, atime: this.portable ? void 0 : this.atime, ctime: this.portable ? void 0 : this.ctime }), n && this.warn("TAR_ENTRY_INFO", `stripping ${n} from absolute path`, { entry: this, path: n + this.path }), this.header.encode() && !this.noPax && super.write(new ft({ atime: this.portable ? void 0 : this.atime, ctime: this.portable ? void 0 : this.ctime, gid: this.portable ? void 0 : this.gid, mtime: this.noMtime ? void 0 : this.mtime, path: this[q](this.path), linkpath: this.type === "Link" && this.linkpath !== void 0 ? this[q](this.linkpath) : this.linkpath, size: this.size, uid: this.portable ? void 0 : this.uid, uname: this.portable ? void 0 : this.uname, dev: this.portable ? void 0 : this.readEntry.dev, ino: this.portable ? void 0 : this.readEntry.ino, nlink: this.portable ? void 0 : this.readEntry.nlink }).encode());
    let o = this.header?.block;
    if (!o) throw new Error("failed to encode header");
    super.write(o), t.pipe(this);
  }
  [q](t) {
    return rr(t, this.prefix);
  }
  [ri](t) {
    return Ji(t, this.type === "Directory", this.portable);
  }
  write(t, e, i) {
    typeof e == "function" && (i = e, e = void 0), typeof t == "string" && (t = Buffer.from(t, typeof e == "string" ? e : "utf8"));
    let r = t.length;
    if (r > this.blockRemain) throw new Error("writing more to entry than is appropriate");
    return this.blockRemain -= r, super.write(t, i);
  }
  end(t, e, i) {
    return this.blockRemain && super.write(Buffer.alloc(this.blockRemain)), typeof t == "function" && (i = t, e = void 0, t = void 0), typeof e == "function" && (i = e, e = void 0), typeof t == "string" && (t = Buffer.from(t, e ?? "utf8")), i && this.once("finish", i), t ? super.end(t, i) : super.end(i), this;
  }
};
var Gn = (s4) => s4.isFile() ? "File" : s4.isDirectory() ? "Directory" : s4.isSymbolicLink() ? "SymbolicLink" : "Unsupported";
var hi = class s2 {
  tail;
  head;
  length = 0;
  static create(t = []) {
    return new s2(t);
  }
  constructor(t = []) {
    for (let e of t) this.push(e);
  }
  *[Symbol.iterator]() {
    for (let t = this.head; t; t = t.next) yield t.value;
  }
  removeNode(t) {
    if (t.list !== this) throw new Error("removing node which does not belong to this list");
    let e = t.next, i = t.prev;
    return e && (e.prev = i), i && (i.next = e), t === this.head && (this.head = e), t === this.tail && (this.tail = i), this.length--, t.next = void 0, t.prev = void 0, t.list = void 0, e;
  }
  unshiftNode(t) {
    if (t === this.head) return;
    t.list && t.list.removeNode(t);
    let e = this.head;
    t.list = this, t.next = e, e && (e.prev = t), this.head = t, this.tail || (this.tail = t), this.length++;
  }
  pushNode(t) {
    if (t === this.tail) return;
    t.list && t.list.removeNode(t);
    let e = this.tail;
    t.list = this, t.prev = e, e && (e.next = t), this.tail = t, this.head || (this.head = t), this.length++;
  }
  push(...t) {
    for (let e = 0, i = t.length; e < i; e++) Yn(this, t[e]);
    return this.length;
  }
  unshift(...t) {
    for (var e = 0, i = t.length; e < i; e++) Kn(this, t[e]);
    return this.length;
  }
  pop() {
    if (!this.tail) return;
    let t = this.tail.value, e = this.tail;
    return this.tail = this.tail.prev, this.tail ? this.tail.next = void 0 : this.head = void 0, e.list = void 0, this.length--, t;
  }
  shift() {
    if (!this.head) return;
    let t = this.head.value, e = this.head;
    return this.head = this.head.next, this.head ? this.head.prev = void 0 : this.tail = void 0, e.list = void 0, this.length--, t;
  }
  forEach(t, e) {
    e = e || this;
    for (let i = this.head, r = 0; i; r++) t.call(e, i.value, r, this), i = i.next;
  }
  forEachReverse(t, e) {
    e = e || this;
    for (let i = this.tail, r = this.length - 1; i; r--) t.call(e, i.value, r, this), i = i.prev;
  }
  get(t) {
    let e = 0, i = this.head;
    for (; i && e < t; e++) i = i.next;
    if (e === t && i) return i.value;
  }
  getReverse(t) {
    let e = 0, i = this.tail;
    for (; i && e < t; e++) i = i.prev;
    if (e === t && i) return i.value;
  }
  map(t, e) {
    e = e || this;
    let i = new s2();
    for (let r = this.head; r; ) i.push(t.call(e, r.value, this)), r = r.next;
    return i;
  }
  mapReverse(t, e) {
    e = e || this;
    var i = new s2();
    for (let r = this.tail; r; ) i.push(t.call(e, r.value, this)), r = r.prev;
    return i;
  }
  reduce(t, e) {
    let i, r = this.head;
    if (arguments.length > 1) i = e;
    else if (this.head) r = this.head.next, i = this.head.value;
    else throw new TypeError("Reduce of empty list with no initial value");
    for (var n = 0; r; n++) i = t(i, r.value, n), r = r.next;
    return i;
  }
  reduceReverse(t, e) {
    let i, r = this.tail;
    if (arguments.length > 1) i = e;
    else if (this.tail) r = this.tail.prev, i = this.tail.value;
    else throw new TypeError("Reduce of empty list with no initial value");
    for (let n = this.length - 1; r; n--) i = t(i, r.value, n), r = r.prev;
    return i;
  }
  toArray() {
    let t = new Array(this.length);
    for (let e = 0, i = this.head; i; e++) t[e] = i.value, i = i.next;
    return t;
  }
  toArrayReverse() {
    let t = new Array(this.length);
    for (let e = 0, i = this.tail; i; e++) t[e] = i.value, i = i.prev;
    return t;
  }
  slice(t = 0, e = this.length) {
    e < 0 && (e += this.length), t < 0 && (t += this.length);
    let i = new s2();
    if (e < t || e < 0) return i;
    t < 0 && (t = 0), e > this.length && (e = this.length);
    let r = this.head, n = 0;
    for (n = 0; r && n < t; n++) r = r.next;
    for (; r && n < e; n++, r = r.next) i.push(r.value);
    return i;
  }
  sliceReverse(t = 0, e = this.length) {
    e < 0 && (e += this.length), t < 0 && (t += this.length);
    let i = new s2();
    if (e < t || e < 0) return i;
    t < 0 && (t = 0), e > this.length && (e = this.length);
    let r = this.length, n = this.tail;
    for (; n && r > e; r--) n = n.prev;
    for (; n && r > t; r--, n = n.prev) i.push(n.value);
    return i;
  }
  splice(t, e = 0, ...i) {
    t > this.length && (t = this.length - 1), t < 0 && (t = this.length + t);
    let r = this.head;
    for (let o = 0; r && o < t; o++) r = r.next;
    let n = [];
    for (let o = 0; r && o < e; o++) n.push(r.value), r = this.removeNode(r);
    r ? r !== this.tail && (r = r.prev) : r = this.tail;
    for (let o of i) r = Zn(this, r, o);
    return n;
  }
  reverse() {
    let t = this.head, e = this.tail;
    for (let i = t; i; i = i.prev) {
      let r = i.prev;
      i.prev = i.next, i.next = r;
    }
    return this.head = e, this.tail = t, this;
  }
};
function Zn(s4, t, e) {
  let i = t, r = t ? t.next : s4.head, n = new ue(e, i, r, s4);
  return n.next === void 0 && (s4.tail = n), n.prev === void 0 && (s4.head = n), s4.length++, n;
}
function Yn(s4, t) {
  s4.tail = new ue(t, s4.tail, void 0, s4), s4.head || (s4.head = s4.tail), s4.length++;
}
function Kn(s4, t) {
  s4.head = new ue(t, void 0, s4.head, s4), s4.tail || (s4.tail = s4.head), s4.length++;
}
var ue = class {
  list;
  next;
  prev;
  value;
  constructor(t, e, i, r) {
    this.list = r, this.value = t, e ? (e.next = this, this.prev = e) : this.prev = void 0, i ? (i.prev = this, this.next = i) : this.next = void 0;
  }
};
var pi = class {
  path;
  absolute;
  entry;
  stat;
  readdir;
  pending = false;
  pendingLink = false;
  ignore = false;
  piped = false;
  constructor(t, e) {
    this.path = t || "./", this.absolute = e;
  }
};
var nr = Buffer.alloc(1024);
var li = Symbol("onStat");
var me = Symbol("ended");
var W = Symbol("queue");
var pe = Symbol("pendingLinks");
var Et = Symbol("current");
var Ft = Symbol("process");
var Ee = Symbol("processing");
var ai = Symbol("processJob");
var G = Symbol("jobs");
var ls = Symbol("jobDone");
var ci = Symbol("addFSEntry");
var or = Symbol("addTarEntry");
var ds = Symbol("stat");
var us = Symbol("readdir");
var fi = Symbol("onreaddir");
var di = Symbol("pipe");
var hr = Symbol("entry");
var cs = Symbol("entryOpt");
var ui = Symbol("writeEntryClass");
var lr = Symbol("write");
var fs = Symbol("ondrain");
var wt = class extends A {
  sync = false;
  opt;
  cwd;
  maxReadSize;
  preservePaths;
  strict;
  noPax;
  prefix;
  linkCache;
  statCache;
  file;
  portable;
  zip;
  readdirCache;
  noDirRecurse;
  follow;
  noMtime;
  mtime;
  filter;
  jobs;
  [ui];
  onWriteEntry;
  [W];
  [pe] = /* @__PURE__ */ new Map();
  [G] = 0;
  [Ee] = false;
  [me] = false;
  constructor(t = {}) {
    if (super(), this.opt = t, this.file = t.file || "", this.cwd = t.cwd || process.cwd(), this.maxReadSize = t.maxReadSize, this.preservePaths = !!t.preservePaths, this.strict = !!t.strict, this.noPax = !!t.noPax, this.prefix = f(t.prefix || ""), this.linkCache = t.linkCache || /* @__PURE__ */ new Map(), this.statCache = t.statCache || /* @__PURE__ */ new Map(), this.readdirCache = t.readdirCache || /* @__PURE__ */ new Map(), this.onWriteEntry = t.onWriteEntry, this[ui] = de, typeof t.onwarn == "function" && this.on("warn", t.onwarn), this.portable = !!t.portable, t.gzip || t.brotli || t.zstd) {
      if ((t.gzip ? 1 : 0) + (t.brotli ? 1 : 0) + (t.zstd ? 1 : 0) > 1) throw new TypeError("gzip, brotli, zstd are mutually exclusive");
      if (t.gzip && (typeof t.gzip != "object" && (t.gzip = {}), this.portable && (t.gzip.portable = true), this.zip = new ze(t.gzip)), t.brotli && (typeof t.brotli != "object" && (t.brotli = {}), this.zip = new We(t.brotli)), t.zstd && (typeof t.zstd != "object" && (t.zstd = {}), this.zip = new Ye(t.zstd)), !this.zip) throw new Error("impossible");
      let e = this.zip;
      e.on("data", (i) => super.write(i)), e.on("end", () => super.end()), e.on("drain", () => this[fs]()), this.on("resume", () => e.resume());
    } else this.on("drain", this[fs]);
    this.noDirRecurse = !!t.noDirRecurse, this.follow = !!t.follow, this.noMtime = !!t.noMtime, t.mtime && (this.mtime = t.mtime), this.filter = typeof t.filter == "function" ? t.filter : () => true, this[W] = new hi(), this[G] = 0, this.jobs = Number(t.jobs) || 4, this[Ee] = false, this[me] = false;
  }
  [lr](t) {
    return super.write(t);
  }
  add(t) {
    return this.write(t), this;
  }
  end(t, e, i) {
    return typeof t == "function" && (i = t, t = void 0), typeof e == "function" && (i = e, e = void 0), t && this.add(t), this[me] = true, this[Ft](), i && i(), this;
  }
  write(t) {
    if (this[me]) throw new Error("write after end");
    return typeof t == "string" ? this[ci](t) : this[or](t), this.flowing;
  }
  [or](t) {
    let e = f(ar.resolve(this.cwd, t.path));
    if (!this.filter(t.path, t)) t.resume();
    else {
      let i = new pi(t.path, e);
      i.entry = new oi(t, this[cs](i)), i.entry.on("end", () => this[ls](i)), this[G] += 1, this[W].push(i);
    }
    this[Ft]();
  }
  [ci](t) {
    let e = f(ar.resolve(this.cwd, t));
    this[W].push(new pi(t, e)), this[Ft]();
  }
  [ds](t) {
    t.pending = true, this[G] += 1;
    let e = this.follow ? "stat" : "lstat";
    mi[e](t.absolute, (i, r) => {
      t.pending = false, this[G] -= 1, i ? this.emit("error", i) : this[li](t, r);
    });
  }
  [li](t, e) {
    if (this.statCache.set(t.absolute, e), t.stat = e, !this.filter(t.path, e)) t.ignore = true;
    else if (e.isFile() && e.nlink > 1 && !this.linkCache.get(`${e.dev}:${e.ino}`) && !this.sync) if (t === this[Et]) this[ai](t);
    else {
      let i = `${e.dev}:${e.ino}`, r = this[pe].get(i);
      r ? r.push(t) : this[pe].set(i, [t]), t.pendingLink = true, t.pending = true;
    }
    this[Ft]();
  }
  [us](t) {
    t.pending = true, this[G] += 1, mi.readdir(t.absolute, (e, i) => {
      if (t.pending = false, this[G] -= 1, e) return this.emit("error", e);
      this[fi](t, i);
    });
  }
  [fi](t, e) {
    this.readdirCache.set(t.absolute, e), t.readdir = e, this[Ft]();
  }
  [Ft]() {
    if (!this[Ee]) {
      this[Ee] = true;
      for (let t = this[W].head; t && this[G] < this.jobs; t = t.next) if (this[ai](t.value), t.value.ignore) {
        let e = t.next;
        this[W].removeNode(t), t.next = e;
      }
      this[Ee] = false, this[me] && this[W].length === 0 && this[G] === 0 && (this.zip ? this.zip.end(nr) : (super.write(nr), super.end()));
    }
  }
  get [Et]() {
    return this[W] && this[W].head && this[W].head.value;
  }
  [ls](t) {
    this[W].shift(), this[G] -= 1;
    let { stat: e } = t;
    if (e && e.isFile() && e.nlink > 1) {
      let i = `${e.dev}:${e.ino}`, r = this[pe].get(i);
      if (r) {
        this[pe].delete(i);
        for (let n of r) n.pending = false, this[ai](n);
      }
    }
    this[Ft]();
  }
  [ai](t) {
    if (t.pending && t.pendingLink && t === this[Et] && (t.pending = false, t.pendingLink = false), !t.pending) {
      if (t.entry) {
        t === this[Et] && !t.piped && this[di](t);
        return;
      }
      if (!t.stat) {
        let e = this.statCache.get(t.absolute);
        e ? this[li](t, e) : this[ds](t);
      }
      if (t.stat && !t.ignore) {
        if (!this.noDirRecurse && t.stat.isDirectory() && !t.readdir) {
          let e = this.readdirCache.get(t.absolute);
          if (e ? this[fi](t, e) : this[us](t), !t.readdir) return;
        }
        if (t.entry = this[hr](t), !t.entry) {
          t.ignore = true;
          return;
        }
        t === this[Et] && !t.piped && this[di](t);
      }
    }
  }
  [cs](t) {
    return { onwarn: (e, i, r) => this.warn(e, i, r), noPax: this.noPax, cwd: this.cwd, absolute: t.absolute, preservePaths: this.preservePaths, maxReadSize: this.maxReadSize, strict: this.strict, portable: this.portable, linkCache: this.linkCache, statCache: this.statCache, noMtime: this.noMtime, mtime: this.mtime, prefix: this.prefix, onWriteEntry: this.onWriteEntry };
  }
  [hr](t) {
    this[G] += 1;
    try {
      return new this[ui](t.path, this[cs](t)).on("end", () => this[ls](t)).on("error", (i) => this.emit("error", i));
    } catch (e) {
      this.emit("error", e);
    }
  }
  [fs]() {
    this[Et] && this[Et].entry && this[Et].entry.resume();
  }
  [di](t) {
    t.piped = true, t.readdir && t.readdir.forEach((r) => {
      let n = t.path, o = n === "./" ? "" : n.replace(/\/*$/, "/");
      this[ci](o + r);
    });
    let e = t.entry, i = this.zip;
    if (!e) throw new Error("cannot pipe without source");
    i ? e.on("data", (r) => {
      i.write(r) || e.pause();
    }) : e.on("data", (r) => {
      super.write(r) || e.pause();
    });
  }
  pause() {
    return this.zip && this.zip.pause(), super.pause();
  }
  warn(t, e, i = {}) {
    Dt(this, t, e, i);
  }
};
var kt = class extends wt {
  sync = true;
  constructor(t) {
    super(t), this[ui] = ni;
  }
  pause() {
  }
  resume() {
  }
  [ds](t) {
    let e = this.follow ? "statSync" : "lstatSync";
    this[li](t, mi[e](t.absolute));
  }
  [us](t) {
    this[fi](t, mi.readdirSync(t.absolute));
  }
  [di](t) {
    let e = t.entry, i = this.zip;
    if (t.readdir && t.readdir.forEach((r) => {
      let n = t.path, o = n === "./" ? "" : n.replace(/\/*$/, "/");
      this[ci](o + r);
    }), !e) throw new Error("Cannot pipe without source");
    i ? e.on("data", (r) => {
      i.write(r);
    }) : e.on("data", (r) => {
      super[lr](r);
    });
  }
};
var Vn = (s4, t) => {
  let e = new kt(s4), i = new Wt(s4.file, { mode: s4.mode || 438 });
  e.pipe(i), fr(e, t);
};
var $n = (s4, t) => {
  let e = new wt(s4), i = new et(s4.file, { mode: s4.mode || 438 });
  e.pipe(i);
  let r = new Promise((n, o) => {
    i.on("error", o), i.on("close", n), e.on("error", o);
  });
  return dr(e, t).catch((n) => e.emit("error", n)), r;
};
var fr = (s4, t) => {
  t.forEach((e) => {
    e.charAt(0) === "@" ? Ct({ file: cr.resolve(s4.cwd, e.slice(1)), sync: true, noResume: true, onReadEntry: (i) => s4.add(i) }) : s4.add(e);
  }), s4.end();
};
var dr = async (s4, t) => {
  for (let e of t) e.charAt(0) === "@" ? await Ct({ file: cr.resolve(String(s4.cwd), e.slice(1)), noResume: true, onReadEntry: (i) => {
    s4.add(i);
  } }) : s4.add(e);
  s4.end();
};
var Xn = (s4, t) => {
  let e = new kt(s4);
  return fr(e, t), e;
};
var qn = (s4, t) => {
  let e = new wt(s4);
  return dr(e, t).catch((i) => e.emit("error", i)), e;
};
var Qn = K(Vn, $n, Xn, qn, (s4, t) => {
  if (!t?.length) throw new TypeError("no paths specified to add to archive");
});
var Jn = process.env.__FAKE_PLATFORM__ || process.platform;
var Er = Jn === "win32";
var { O_CREAT: wr, O_NOFOLLOW: ur, O_TRUNC: Sr, O_WRONLY: yr } = pr.constants;
var Rr = Number(process.env.__FAKE_FS_O_FILENAME__) || pr.constants.UV_FS_O_FILEMAP || 0;
var jn = Er && !!Rr;
var to = 512 * 1024;
var eo = Rr | Sr | wr | yr;
var mr = !Er && typeof ur == "number" ? ur | Sr | wr | yr : null;
var ms = mr !== null ? () => mr : jn ? (s4) => s4 < to ? eo : "w" : () => "w";
var ps = (s4, t, e) => {
  try {
    return wi.lchownSync(s4, t, e);
  } catch (i) {
    if (i?.code !== "ENOENT") throw i;
  }
};
var Ei = (s4, t, e, i) => {
  wi.lchown(s4, t, e, (r) => {
    i(r && r?.code !== "ENOENT" ? r : null);
  });
};
var io = (s4, t, e, i, r) => {
  if (t.isDirectory()) Es(we.resolve(s4, t.name), e, i, (n) => {
    if (n) return r(n);
    let o = we.resolve(s4, t.name);
    Ei(o, e, i, r);
  });
  else {
    let n = we.resolve(s4, t.name);
    Ei(n, e, i, r);
  }
};
var Es = (s4, t, e, i) => {
  wi.readdir(s4, { withFileTypes: true }, (r, n) => {
    if (r) {
      if (r.code === "ENOENT") return i();
      if (r.code !== "ENOTDIR" && r.code !== "ENOTSUP") return i(r);
    }
    if (r || !n.length) return Ei(s4, t, e, i);
    let o = n.length, h = null, a = (l) => {
      if (!h) {
        if (l) return i(h = l);
        if (--o === 0) return Ei(s4, t, e, i);
      }
    };
    for (let l of n) io(s4, l, t, e, a);
  });
};
var so = (s4, t, e, i) => {
  t.isDirectory() && ws(we.resolve(s4, t.name), e, i), ps(we.resolve(s4, t.name), e, i);
};
var ws = (s4, t, e) => {
  let i;
  try {
    i = wi.readdirSync(s4, { withFileTypes: true });
  } catch (r) {
    let n = r;
    if (n?.code === "ENOENT") return;
    if (n?.code === "ENOTDIR" || n?.code === "ENOTSUP") return ps(s4, t, e);
    throw n;
  }
  for (let r of i) so(s4, r, t, e);
  return ps(s4, t, e);
};
var Se = class extends Error {
  path;
  code;
  syscall = "chdir";
  constructor(t, e) {
    super(`${e}: Cannot cd into '${t}'`), this.path = t, this.code = e;
  }
  get name() {
    return "CwdError";
  }
};
var St = class extends Error {
  path;
  symlink;
  syscall = "symlink";
  code = "TAR_SYMLINK_ERROR";
  constructor(t, e) {
    super("TAR_SYMLINK_ERROR: Cannot extract through symbolic link"), this.symlink = t, this.path = e;
  }
  get name() {
    return "SymlinkError";
  }
};
var no = (s4, t) => {
  k.stat(s4, (e, i) => {
    (e || !i.isDirectory()) && (e = new Se(s4, e?.code || "ENOTDIR")), t(e);
  });
};
var gr = (s4, t, e) => {
  s4 = f(s4);
  let i = t.umask ?? 18, r = t.mode | 448, n = (r & i) !== 0, o = t.uid, h = t.gid, a = typeof o == "number" && typeof h == "number" && (o !== t.processUid || h !== t.processGid), l = t.preserve, c = t.unlink, d = f(t.cwd), y = (E, x) => {
    E ? e(E) : x && a ? Es(x, o, h, (Le) => y(Le)) : n ? k.chmod(s4, r, e) : e();
  };
  if (s4 === d) return no(s4, y);
  if (l) return ro.mkdir(s4, { mode: r, recursive: true }).then((E) => y(null, E ?? void 0), y);
  let D = f(Si.relative(d, s4)).split("/");
  Ss(d, D, r, c, d, void 0, y);
};
var Ss = (s4, t, e, i, r, n, o) => {
  if (t.length === 0) return o(null, n);
  let h = t.shift(), a = f(Si.resolve(s4 + "/" + h));
  k.mkdir(a, e, br(a, t, e, i, r, n, o));
};
var br = (s4, t, e, i, r, n, o) => (h) => {
  h ? k.lstat(s4, (a, l) => {
    if (a) a.path = a.path && f(a.path), o(a);
    else if (l.isDirectory()) Ss(s4, t, e, i, r, n, o);
    else if (i) k.unlink(s4, (c) => {
      if (c) return o(c);
      k.mkdir(s4, e, br(s4, t, e, i, r, n, o));
    });
    else {
      if (l.isSymbolicLink()) return o(new St(s4, s4 + "/" + t.join("/")));
      o(h);
    }
  }) : (n = n || s4, Ss(s4, t, e, i, r, n, o));
};
var oo = (s4) => {
  let t = false, e;
  try {
    t = k.statSync(s4).isDirectory();
  } catch (i) {
    e = i?.code;
  } finally {
    if (!t) throw new Se(s4, e ?? "ENOTDIR");
  }
};
var _r = (s4, t) => {
  s4 = f(s4);
  let e = t.umask ?? 18, i = t.mode | 448, r = (i & e) !== 0, n = t.uid, o = t.gid, h = typeof n == "number" && typeof o == "number" && (n !== t.processUid || o !== t.processGid), a = t.preserve, l = t.unlink, c = f(t.cwd), d = (E) => {
    E && h && ws(E, n, o), r && k.chmodSync(s4, i);
  };
  if (s4 === c) return oo(c), d();
  if (a) return d(k.mkdirSync(s4, { mode: i, recursive: true }) ?? void 0);
  let T = f(Si.relative(c, s4)).split("/"), D;
  for (let E = T.shift(), x = c; E && (x += "/" + E); E = T.shift()) {
    x = f(Si.resolve(x));
    try {
      k.mkdirSync(x, i), D = D || x;
    } catch {
      let Le = k.lstatSync(x);
      if (Le.isDirectory()) continue;
      if (l) {
        k.unlinkSync(x), k.mkdirSync(x, i), D = D || x;
        continue;
      } else if (Le.isSymbolicLink()) return new St(x, x + "/" + T.join("/"));
    }
  }
  return d(D);
};
var ys = /* @__PURE__ */ Object.create(null);
var Or = 1e4;
var Vt = /* @__PURE__ */ new Set();
var Tr = (s4) => {
  Vt.has(s4) ? Vt.delete(s4) : ys[s4] = s4.normalize("NFD").toLocaleLowerCase("en").toLocaleUpperCase("en"), Vt.add(s4);
  let t = ys[s4], e = Vt.size - Or;
  if (e > Or / 10) {
    for (let i of Vt) if (Vt.delete(i), delete ys[i], --e <= 0) break;
  }
  return t;
};
var ho = process.env.TESTING_TAR_FAKE_PLATFORM || process.platform;
var ao = ho === "win32";
var lo = (s4) => s4.split("/").slice(0, -1).reduce((e, i) => {
  let r = e.at(-1);
  return r !== void 0 && (i = xr(r, i)), e.push(i || "/"), e;
}, []);
var yi = class {
  #t = /* @__PURE__ */ new Map();
  #i = /* @__PURE__ */ new Map();
  #s = /* @__PURE__ */ new Set();
  reserve(t, e) {
    t = ao ? ["win32 parallelization disabled"] : t.map((r) => mt(xr(Tr(r))));
    let i = new Set(t.map((r) => lo(r)).reduce((r, n) => r.concat(n)));
    this.#i.set(e, { dirs: i, paths: t });
    for (let r of t) {
      let n = this.#t.get(r);
      n ? n.push(e) : this.#t.set(r, [e]);
    }
    for (let r of i) {
      let n = this.#t.get(r);
      if (!n) this.#t.set(r, [/* @__PURE__ */ new Set([e])]);
      else {
        let o = n.at(-1);
        o instanceof Set ? o.add(e) : n.push(/* @__PURE__ */ new Set([e]));
      }
    }
    return this.#r(e);
  }
  #n(t) {
    let e = this.#i.get(t);
    if (!e) throw new Error("function does not have any path reservations");
    return { paths: e.paths.map((i) => this.#t.get(i)), dirs: [...e.dirs].map((i) => this.#t.get(i)) };
  }
  check(t) {
    let { paths: e, dirs: i } = this.#n(t);
    return e.every((r) => r && r[0] === t) && i.every((r) => r && r[0] instanceof Set && r[0].has(t));
  }
  #r(t) {
    return this.#s.has(t) || !this.check(t) ? false : (this.#s.add(t), t(() => this.#e(t)), true);
  }
  #e(t) {
    if (!this.#s.has(t)) return false;
    let e = this.#i.get(t);
    if (!e) throw new Error("invalid reservation");
    let { paths: i, dirs: r } = e, n = /* @__PURE__ */ new Set();
    for (let o of i) {
      let h = this.#t.get(o);
      if (!h || h?.[0] !== t) continue;
      let a = h[1];
      if (!a) {
        this.#t.delete(o);
        continue;
      }
      if (h.shift(), typeof a == "function") n.add(a);
      else for (let l of a) n.add(l);
    }
    for (let o of r) {
      let h = this.#t.get(o), a = h?.[0];
      if (!(!h || !(a instanceof Set))) if (a.size === 1 && h.length === 1) {
        this.#t.delete(o);
        continue;
      } else if (a.size === 1) {
        h.shift();
        let l = h[0];
        typeof l == "function" && n.add(l);
      } else a.delete(t);
    }
    return this.#s.delete(t), n.forEach((o) => this.#r(o)), true;
  }
};
var Lr = () => process.umask();
var Dr = Symbol("onEntry");
var _s = Symbol("checkFs");
var Nr = Symbol("checkFs2");
var Os = Symbol("isReusable");
var P = Symbol("makeFs");
var Ts = Symbol("file");
var xs = Symbol("directory");
var gi = Symbol("link");
var Ar = Symbol("symlink");
var Ir = Symbol("hardlink");
var Re = Symbol("ensureNoSymlink");
var Cr = Symbol("unsupported");
var Fr = Symbol("checkPath");
var Rs = Symbol("stripAbsolutePath");
var yt = Symbol("mkdir");
var O = Symbol("onError");
var Ri = Symbol("pending");
var kr = Symbol("pend");
var $t = Symbol("unpend");
var gs = Symbol("ended");
var bs = Symbol("maybeClose");
var Ls = Symbol("skip");
var ge = Symbol("doChown");
var be = Symbol("uid");
var _e = Symbol("gid");
var Oe = Symbol("checkedCwd");
var fo = process.env.TESTING_TAR_FAKE_PLATFORM || process.platform;
var Te = fo === "win32";
var uo = 1024;
var mo = (s4, t) => {
  if (!Te) return u.unlink(s4, t);
  let e = s4 + ".DELETE." + Mr(16).toString("hex");
  u.rename(s4, e, (i) => {
    if (i) return t(i);
    u.unlink(e, t);
  });
};
var po = (s4) => {
  if (!Te) return u.unlinkSync(s4);
  let t = s4 + ".DELETE." + Mr(16).toString("hex");
  u.renameSync(s4, t), u.unlinkSync(t);
};
var vr = (s4, t, e) => s4 !== void 0 && s4 === s4 >>> 0 ? s4 : t !== void 0 && t === t >>> 0 ? t : e;
var Xt = class extends rt {
  [gs] = false;
  [Oe] = false;
  [Ri] = 0;
  reservations = new yi();
  transform;
  writable = true;
  readable = false;
  uid;
  gid;
  setOwner;
  preserveOwner;
  processGid;
  processUid;
  maxDepth;
  forceChown;
  win32;
  newer;
  keep;
  noMtime;
  preservePaths;
  unlink;
  cwd;
  strip;
  processUmask;
  umask;
  dmode;
  fmode;
  chmod;
  constructor(t = {}) {
    if (t.ondone = () => {
      this[gs] = true, this[bs]();
    }, super(t), this.transform = t.transform, this.chmod = !!t.chmod, typeof t.uid == "number" || typeof t.gid == "number") {
      if (typeof t.uid != "number" || typeof t.gid != "number") throw new TypeError("cannot set owner without number uid and gid");
      if (t.preserveOwner) throw new TypeError("cannot preserve owner in archive and also set owner explicitly");
      this.uid = t.uid, this.gid = t.gid, this.setOwner = true;
    } else this.uid = void 0, this.gid = void 0, this.setOwner = false;
    this.preserveOwner = t.preserveOwner === void 0 && typeof t.uid != "number" ? process.getuid?.() === 0 : !!t.preserveOwner, this.processUid = (this.preserveOwner || this.setOwner) && process.getuid ? process.getuid() : void 0, this.processGid = (this.preserveOwner || this.setOwner) && process.getgid ? process.getgid() : void 0, this.maxDepth = typeof t.maxDepth == "number" ? t.maxDepth : uo, this.forceChown = t.forceChown === true, this.win32 = !!t.win32 || Te, this.newer = !!t.newer, this.keep = !!t.keep, this.noMtime = !!t.noMtime, this.preservePaths = !!t.preservePaths, this.unlink = !!t.unlink, this.cwd = f(R.resolve(t.cwd || process.cwd())), this.strip = Number(t.strip) || 0, this.processUmask = this.chmod ? typeof t.processUmask == "number" ? t.processUmask : Lr() : 0, this.umask = typeof t.umask == "number" ? t.umask : this.processUmask, this.dmode = t.dmode || 511 & ~this.umask, this.fmode = t.fmode || 438 & ~this.umask, this.on("entry", (e) => this[Dr](e));
  }
  warn(t, e, i = {}) {
    return (t === "TAR_BAD_ARCHIVE" || t === "TAR_ABORT") && (i.recoverable = false), super.warn(t, e, i);
  }
  [bs]() {
    this[gs] && this[Ri] === 0 && (this.emit("prefinish"), this.emit("finish"), this.emit("end"));
  }
  [Rs](t, e) {
    let i = t[e], { type: r } = t;
    if (!i || this.preservePaths) return true;
    let [n, o] = ce(i), h = o.replaceAll(/\\/g, "/").split("/");
    if (h.includes("..") || Te && /^[a-z]:\.\.$/i.test(h[0] ?? "")) {
      if (e === "path" || r === "Link") return this.warn("TAR_ENTRY_ERROR", `${e} contains '..'`, { entry: t, [e]: i }), false;
      let a = R.posix.dirname(t.path), l = R.posix.normalize(R.posix.join(a, h.join("/")));
      if (l.startsWith("../") || l === "..") return this.warn("TAR_ENTRY_ERROR", `${e} escapes extraction directory`, { entry: t, [e]: i }), false;
    }
    return n && (t[e] = String(o), this.warn("TAR_ENTRY_INFO", `stripping ${n} from absolute ${e}`, { entry: t, [e]: i })), true;
  }
  [Fr](t) {
    let e = f(t.path), i = e.split("/");
    if (this.strip) {
      if (i.length < this.strip) return false;
      if (t.type === "Link") {
        let r = f(String(t.linkpath)).split("/");
        if (r.length >= this.strip) t.linkpath = r.slice(this.strip).join("/");
        else return false;
      }
      i.splice(0, this.strip), t.path = i.join("/");
    }
    if (isFinite(this.maxDepth) && i.length > this.maxDepth) return this.warn("TAR_ENTRY_ERROR", "path excessively deep", { entry: t, path: e, depth: i.length, maxDepth: this.maxDepth }), false;
    if (!this[Rs](t, "path") || !this[Rs](t, "linkpath")) return false;
    if (t.absolute = R.isAbsolute(t.path) ? f(R.resolve(t.path)) : f(R.resolve(this.cwd, t.path)), !this.preservePaths && typeof t.absolute == "string" && t.absolute.indexOf(this.cwd + "/") !== 0 && t.absolute !== this.cwd) return this.warn("TAR_ENTRY_ERROR", "path escaped extraction target", { entry: t, path: f(t.path), resolvedPath: t.absolute, cwd: this.cwd }), false;
    if (t.absolute === this.cwd && t.type !== "Directory" && t.type !== "GNUDumpDir") return false;
    if (this.win32) {
      let { root: r } = R.win32.parse(String(t.absolute));
      t.absolute = r + ts(String(t.absolute).slice(r.length));
      let { root: n } = R.win32.parse(t.path);
      t.path = n + ts(t.path.slice(n.length));
    }
    return true;
  }
  [Dr](t) {
    if (!this[Fr](t)) return t.resume();
    switch (co.equal(typeof t.absolute, "string"), t.type) {
      case "Directory":
      case "GNUDumpDir":
        t.mode && (t.mode = t.mode | 448);
      case "File":
      case "OldFile":
      case "ContiguousFile":
      case "Link":
      case "SymbolicLink":
        return this[_s](t);
      default:
        return this[Cr](t);
    }
  }
  [O](t, e) {
    t.name === "CwdError" ? this.emit("error", t) : (this.warn("TAR_ENTRY_ERROR", t, { entry: e }), this[$t](), e.resume());
  }
  [yt](t, e, i) {
    gr(f(t), { uid: this.uid, gid: this.gid, processUid: this.processUid, processGid: this.processGid, umask: this.processUmask, preserve: this.preservePaths, unlink: this.unlink, cwd: this.cwd, mode: e }, i);
  }
  [ge](t) {
    return this.forceChown || this.preserveOwner && (typeof t.uid == "number" && t.uid !== this.processUid || typeof t.gid == "number" && t.gid !== this.processGid) || typeof this.uid == "number" && this.uid !== this.processUid || typeof this.gid == "number" && this.gid !== this.processGid;
  }
  [be](t) {
    return vr(this.uid, t.uid, this.processUid);
  }
  [_e](t) {
    return vr(this.gid, t.gid, this.processGid);
  }
  [Ts](t, e) {
    let i = typeof t.mode == "number" ? t.mode & 4095 : this.fmode, r = new et(String(t.absolute), { flags: ms(t.size), mode: i, autoClose: false });
    r.on("error", (a) => {
      r.fd && u.close(r.fd, () => {
      }), r.write = () => true, this[O](a, t), e();
    });
    let n = 1, o = (a) => {
      if (a) {
        r.fd && u.close(r.fd, () => {
        }), this[O](a, t), e();
        return;
      }
      --n === 0 && r.fd !== void 0 && u.close(r.fd, (l) => {
        l ? this[O](l, t) : this[$t](), e();
      });
    };
    r.on("finish", () => {
      let a = String(t.absolute), l = r.fd;
      if (typeof l == "number" && t.mtime && !this.noMtime) {
        n++;
        let c = t.atime || /* @__PURE__ */ new Date(), d = t.mtime;
        u.futimes(l, c, d, (y) => y ? u.utimes(a, c, d, (T) => o(T && y)) : o());
      }
      if (typeof l == "number" && this[ge](t)) {
        n++;
        let c = this[be](t), d = this[_e](t);
        typeof c == "number" && typeof d == "number" && u.fchown(l, c, d, (y) => y ? u.chown(a, c, d, (T) => o(T && y)) : o());
      }
      o();
    });
    let h = this.transform && this.transform(t) || t;
    h !== t && (h.on("error", (a) => {
      this[O](a, t), e();
    }), t.pipe(h)), h.pipe(r);
  }
  [xs](t, e) {
    let i = typeof t.mode == "number" ? t.mode & 4095 : this.dmode;
    this[yt](String(t.absolute), i, (r) => {
      if (r) {
        this[O](r, t), e();
        return;
      }
      let n = 1, o = () => {
        --n === 0 && (e(), this[$t](), t.resume());
      };
      t.mtime && !this.noMtime && (n++, u.utimes(String(t.absolute), t.atime || /* @__PURE__ */ new Date(), t.mtime, o)), this[ge](t) && (n++, u.chown(String(t.absolute), Number(this[be](t)), Number(this[_e](t)), o)), o();
    });
  }
  [Cr](t) {
    t.unsupported = true, this.warn("TAR_ENTRY_UNSUPPORTED", `unsupported entry type: ${t.type}`, { entry: t }), t.resume();
  }
  [Ar](t, e) {
    let i = f(R.relative(this.cwd, R.resolve(R.dirname(String(t.absolute)), String(t.linkpath)))).split("/");
    this[Re](t, this.cwd, i, () => this[gi](t, String(t.linkpath), "symlink", e), (r) => {
      this[O](r, t), e();
    });
  }
  [Ir](t, e) {
    let i = f(R.resolve(this.cwd, String(t.linkpath))), r = f(String(t.linkpath)).split("/");
    this[Re](t, this.cwd, r, () => this[gi](t, i, "link", e), (n) => {
      this[O](n, t), e();
    });
  }
  [Re](t, e, i, r, n) {
    let o = i.shift();
    if (this.preservePaths || o === void 0) return r();
    let h = R.resolve(e, o);
    u.lstat(h, (a, l) => {
      if (a) return r();
      if (l?.isSymbolicLink()) return n(new St(h, R.resolve(h, i.join("/"))));
      this[Re](t, h, i, r, n);
    });
  }
  [kr]() {
    this[Ri]++;
  }
  [$t]() {
    this[Ri]--, this[bs]();
  }
  [Ls](t) {
    this[$t](), t.resume();
  }
  [Os](t, e) {
    return t.type === "File" && !this.unlink && e.isFile() && e.nlink <= 1 && !Te;
  }
  [_s](t) {
    this[kr]();
    let e = [t.path];
    t.linkpath && e.push(t.linkpath), this.reservations.reserve(e, (i) => this[Nr](t, i));
  }
  [Nr](t, e) {
    let i = (h) => {
      e(h);
    }, r = () => {
      this[yt](this.cwd, this.dmode, (h) => {
        if (h) {
          this[O](h, t), i();
          return;
        }
        this[Oe] = true, n();
      });
    }, n = () => {
      if (t.absolute !== this.cwd) {
        let h = f(R.dirname(String(t.absolute)));
        if (h !== this.cwd) return this[yt](h, this.dmode, (a) => {
          if (a) {
            this[O](a, t), i();
            return;
          }
          o();
        });
      }
      o();
    }, o = () => {
      u.lstat(String(t.absolute), (h, a) => {
        if (a && (this.keep || this.newer && a.mtime > (t.mtime ?? a.mtime))) {
          this[Ls](t), i();
          return;
        }
        if (h || this[Os](t, a)) return this[P](null, t, i);
        if (a.isDirectory()) {
          if (t.type === "Directory") {
            let l = this.chmod && t.mode && (a.mode & 4095) !== t.mode, c = (d) => this[P](d ?? null, t, i);
            return l ? u.chmod(String(t.absolute), Number(t.mode), c) : c();
          }
          if (t.absolute !== this.cwd) return u.rmdir(String(t.absolute), (l) => this[P](l ?? null, t, i));
        }
        if (t.absolute === this.cwd) return this[P](null, t, i);
        mo(String(t.absolute), (l) => this[P](l ?? null, t, i));
      });
    };
    this[Oe] ? n() : r();
  }
  [P](t, e, i) {
    if (t) {
      this[O](t, e), i();
      return;
    }
    switch (e.type) {
      case "File":
      case "OldFile":
      case "ContiguousFile":
        return this[Ts](e, i);
      case "Link":
        return this[Ir](e, i);
      case "SymbolicLink":
        return this[Ar](e, i);
      case "Directory":
      case "GNUDumpDir":
        return this[xs](e, i);
    }
  }
  [gi](t, e, i, r) {
    u[i](e, String(t.absolute), (n) => {
      n ? this[O](n, t) : (this[$t](), t.resume()), r();
    });
  }
};
var ye = (s4) => {
  try {
    return [null, s4()];
  } catch (t) {
    return [t, null];
  }
};
var xe = class extends Xt {
  sync = true;
  [P](t, e) {
    return super[P](t, e, () => {
    });
  }
  [_s](t) {
    if (!this[Oe]) {
      let n = this[yt](this.cwd, this.dmode);
      if (n) return this[O](n, t);
      this[Oe] = true;
    }
    if (t.absolute !== this.cwd) {
      let n = f(R.dirname(String(t.absolute)));
      if (n !== this.cwd) {
        let o = this[yt](n, this.dmode);
        if (o) return this[O](o, t);
      }
    }
    let [e, i] = ye(() => u.lstatSync(String(t.absolute)));
    if (i && (this.keep || this.newer && i.mtime > (t.mtime ?? i.mtime))) return this[Ls](t);
    if (e || this[Os](t, i)) return this[P](null, t);
    if (i.isDirectory()) {
      if (t.type === "Directory") {
        let o = this.chmod && t.mode && (i.mode & 4095) !== t.mode, [h] = o ? ye(() => {
          u.chmodSync(String(t.absolute), Number(t.mode));
        }) : [];
        return this[P](h, t);
      }
      let [n] = ye(() => u.rmdirSync(String(t.absolute)));
      this[P](n, t);
    }
    let [r] = t.absolute === this.cwd ? [] : ye(() => po(String(t.absolute)));
    this[P](r, t);
  }
  [Ts](t, e) {
    let i = typeof t.mode == "number" ? t.mode & 4095 : this.fmode, r = (h) => {
      let a;
      try {
        u.closeSync(n);
      } catch (l) {
        a = l;
      }
      (h || a) && this[O](h || a, t), e();
    }, n;
    try {
      n = u.openSync(String(t.absolute), ms(t.size), i);
    } catch (h) {
      return r(h);
    }
    let o = this.transform && this.transform(t) || t;
    o !== t && (o.on("error", (h) => this[O](h, t)), t.pipe(o)), o.on("data", (h) => {
      try {
        u.writeSync(n, h, 0, h.length);
      } catch (a) {
        r(a);
      }
    }), o.on("end", () => {
      let h = null;
      if (t.mtime && !this.noMtime) {
        let a = t.atime || /* @__PURE__ */ new Date(), l = t.mtime;
        try {
          u.futimesSync(n, a, l);
        } catch (c) {
          try {
            u.utimesSync(String(t.absolute), a, l);
          } catch {
            h = c;
          }
        }
      }
      if (this[ge](t)) {
        let a = this[be](t), l = this[_e](t);
        try {
          u.fchownSync(n, Number(a), Number(l));
        } catch (c) {
          try {
            u.chownSync(String(t.absolute), Number(a), Number(l));
          } catch {
            h = h || c;
          }
        }
      }
      r(h);
    });
  }
  [xs](t, e) {
    let i = typeof t.mode == "number" ? t.mode & 4095 : this.dmode, r = this[yt](String(t.absolute), i);
    if (r) {
      this[O](r, t), e();
      return;
    }
    if (t.mtime && !this.noMtime) try {
      u.utimesSync(String(t.absolute), t.atime || /* @__PURE__ */ new Date(), t.mtime);
    } catch {
    }
    if (this[ge](t)) try {
      u.chownSync(String(t.absolute), Number(this[be](t)), Number(this[_e](t)));
    } catch {
    }
    e(), t.resume();
  }
  [yt](t, e) {
    try {
      return _r(f(t), { uid: this.uid, gid: this.gid, processUid: this.processUid, processGid: this.processGid, umask: this.processUmask, preserve: this.preservePaths, unlink: this.unlink, cwd: this.cwd, mode: e });
    } catch (i) {
      return i;
    }
  }
  [Re](t, e, i, r, n) {
    if (this.preservePaths || i.length === 0) return r();
    let o = e;
    for (let h of i) {
      o = R.resolve(o, h);
      let [a, l] = ye(() => u.lstatSync(o));
      if (a) return r();
      if (l.isSymbolicLink()) return n(new St(o, R.resolve(e, i.join("/"))));
    }
    r();
  }
  [gi](t, e, i, r) {
    let n = `${i}Sync`;
    try {
      u[n](e, String(t.absolute)), r(), t.resume();
    } catch (o) {
      return this[O](o, t);
    }
  }
};
var Eo = (s4) => {
  let t = new xe(s4), e = s4.file, i = Br.statSync(e), r = s4.maxReadSize || 16 * 1024 * 1024;
  new Be(e, { readSize: r, size: i.size }).pipe(t);
};
var wo = (s4, t) => {
  let e = new Xt(s4), i = s4.maxReadSize || 16 * 1024 * 1024, r = s4.file;
  return new Promise((o, h) => {
    e.on("error", h), e.on("close", o), Br.stat(r, (a, l) => {
      if (a) h(a);
      else {
        let c = new _t(r, { readSize: i, size: l.size });
        c.on("error", h), c.pipe(e);
      }
    });
  });
};
var So = K(Eo, wo, (s4) => new xe(s4), (s4) => new Xt(s4), (s4, t) => {
  t?.length && Qi(s4, t);
});
var yo = (s4, t) => {
  let e = new kt(s4), i = true, r, n;
  try {
    try {
      r = v.openSync(s4.file, "r+");
    } catch (a) {
      if (a?.code === "ENOENT") r = v.openSync(s4.file, "w+");
      else throw a;
    }
    let o = v.fstatSync(r), h = Buffer.alloc(512);
    t: for (n = 0; n < o.size; n += 512) {
      for (let c = 0, d = 0; c < 512; c += d) {
        if (d = v.readSync(r, h, c, h.length - c, n + c), n === 0 && h[0] === 31 && h[1] === 139) throw new Error("cannot append to compressed archives");
        if (!d) break t;
      }
      let a = new F(h);
      if (!a.cksumValid) break;
      let l = 512 * Math.ceil((a.size || 0) / 512);
      if (n + l + 512 > o.size) break;
      n += l, s4.mtimeCache && a.mtime && s4.mtimeCache.set(String(a.path), a.mtime);
    }
    i = false, Ro(s4, e, n, r, t);
  } finally {
    if (i) try {
      v.closeSync(r);
    } catch {
    }
  }
};
var Ro = (s4, t, e, i, r) => {
  let n = new Wt(s4.file, { fd: i, start: e });
  t.pipe(n), bo(t, r);
};
var go = (s4, t) => {
  t = Array.from(t);
  let e = new wt(s4), i = (n, o, h) => {
    let a = (T, D) => {
      T ? v.close(n, (E) => h(T)) : h(null, D);
    }, l = 0;
    if (o === 0) return a(null, 0);
    let c = 0, d = Buffer.alloc(512), y = (T, D) => {
      if (T || D === void 0) return a(T);
      if (c += D, c < 512 && D) return v.read(n, d, c, d.length - c, l + c, y);
      if (l === 0 && d[0] === 31 && d[1] === 139) return a(new Error("cannot append to compressed archives"));
      if (c < 512) return a(null, l);
      let E = new F(d);
      if (!E.cksumValid) return a(null, l);
      let x = 512 * Math.ceil((E.size ?? 0) / 512);
      if (l + x + 512 > o || (l += x + 512, l >= o)) return a(null, l);
      s4.mtimeCache && E.mtime && s4.mtimeCache.set(String(E.path), E.mtime), c = 0, v.read(n, d, 0, 512, l, y);
    };
    v.read(n, d, 0, 512, l, y);
  };
  return new Promise((n, o) => {
    e.on("error", o);
    let h = "r+", a = (l, c) => {
      if (l && l.code === "ENOENT" && h === "r+") return h = "w+", v.open(s4.file, h, a);
      if (l || !c) return o(l);
      v.fstat(c, (d, y) => {
        if (d) return v.close(c, () => o(d));
        i(c, y.size, (T, D) => {
          if (T) return o(T);
          let E = new et(s4.file, { fd: c, start: D });
          e.pipe(E), E.on("error", o), E.on("close", n), _o(e, t);
        });
      });
    };
    v.open(s4.file, h, a);
  });
};
var bo = (s4, t) => {
  t.forEach((e) => {
    e.charAt(0) === "@" ? Ct({ file: Pr.resolve(s4.cwd, e.slice(1)), sync: true, noResume: true, onReadEntry: (i) => s4.add(i) }) : s4.add(e);
  }), s4.end();
};
var _o = async (s4, t) => {
  for (let e of t) e.charAt(0) === "@" ? await Ct({ file: Pr.resolve(String(s4.cwd), e.slice(1)), noResume: true, onReadEntry: (i) => s4.add(i) }) : s4.add(e);
  s4.end();
};
var vt = K(yo, go, () => {
  throw new TypeError("file is required");
}, () => {
  throw new TypeError("file is required");
}, (s4, t) => {
  if (!Bs(s4)) throw new TypeError("file is required");
  if (s4.gzip || s4.brotli || s4.zstd || s4.file.endsWith(".br") || s4.file.endsWith(".tbr")) throw new TypeError("cannot append to compressed archives");
  if (!t?.length) throw new TypeError("no paths specified to add/replace");
});
var Oo = K(vt.syncFile, vt.asyncFile, vt.syncNoFile, vt.asyncNoFile, (s4, t = []) => {
  vt.validate?.(s4, t), To(s4);
});
var To = (s4) => {
  let t = s4.filter;
  s4.mtimeCache || (s4.mtimeCache = /* @__PURE__ */ new Map()), s4.filter = t ? (e, i) => t(e, i) && !((s4.mtimeCache?.get(e) ?? i.mtime ?? 0) > (i.mtime ?? 0)) : (e, i) => !((s4.mtimeCache?.get(e) ?? i.mtime ?? 0) > (i.mtime ?? 0));
};

// src/sources/safe-extract.ts
import { mkdir, rm, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, posix, relative } from "node:path";
import { pipeline } from "node:stream/promises";
var NEUTRAL_MASK = 3074;
var ALLOWED = /* @__PURE__ */ new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);
function escapes(path) {
  if (escapesAbsolutely(path)) return true;
  return posix.normalize(path.replaceAll("\\", "/")).split("/").includes("..");
}
function linkStaysInside(path, target, links) {
  if (!target || escapesAbsolutely(target)) return false;
  const at2 = posix.normalize(path.replaceAll("\\", "/")).split("/").filter(Boolean).slice(0, -1);
  for (const part of target.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (at2.length === 0) return false;
      at2.pop();
      continue;
    }
    at2.push(part);
    if (links.has(at2.join("/"))) return false;
  }
  return true;
}
function escapesAbsolutely(path) {
  return isAbsolute(path) || posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path);
}
var MAX_DEPTH = 1024;
function shown(path) {
  return path.length > 120 ? `${path.slice(0, 60)}...${path.slice(-40)}` : path;
}
function refusal(entry) {
  const depth2 = entry.path.split(/[\\/]+/).filter(Boolean).length;
  if (depth2 > MAX_DEPTH) return `entry "${shown(entry.path)}" is ${depth2} levels deep, deeper than ${MAX_DEPTH} folders`;
  if (escapes(entry.path)) return `entry "${entry.path}" points outside the destination`;
  if (!ALLOWED.has(entry.type)) return `entry "${entry.path}" is a ${entry.type}, which is never restored`;
  if (entry.type === "Link" && (!entry.linkpath || escapes(entry.linkpath))) return `hard link "${entry.path}" points outside the destination (${entry.linkpath})`;
  return void 0;
}
function refused(error, into, source) {
  const code = error.code;
  if (error instanceof IntegrityError || typeof code !== "string" || !code.startsWith("TAR_")) return error;
  const link2 = error.symlink;
  const why = code === "TAR_SYMLINK_ERROR" && typeof link2 === "string" ? `an entry would be written through the symlink "${relative(into, link2)}" (a chain of links made inside the archive)` : `${error.message.replace(/^TAR_[A-Z_]+: /, "")} (${code})`;
  return new IntegrityError(`The archive for files source "${source}" is unsafe: ${why}.`, {
    hint: "restorable never writes such archives: this artifact was altered or is not a restorable backup. Nothing was restored.",
    cause: error
  });
}
async function extractSafely(stream, into, options) {
  await mkdir(dirname(into), { recursive: true });
  await mkdir(into, { recursive: false });
  const dropped = [];
  const links = /* @__PURE__ */ new Set();
  const created = /* @__PURE__ */ new Map();
  const extractor = new xe({
    cwd: into,
    strict: true,
    preservePaths: false,
    chmod: true,
    processUmask: 0,
    filter(path, entry) {
      const read = entry;
      const why = refusal({ path, type: read.type, linkpath: read.linkpath });
      if (why) {
        extractor.abort(new IntegrityError(`The archive for files source "${options.source}" is unsafe: ${why}.`, {
          hint: "restorable never writes such entries: this artifact was altered or is not a restorable backup. Nothing was restored."
        }));
        return false;
      }
      if (typeof read.mode === "number") read.mode &= ~NEUTRAL_MASK;
      if (read.type === "SymbolicLink") {
        if (!linkStaysInside(path, read.linkpath, links)) {
          dropped.push(`${path} -> ${read.linkpath}`);
          return false;
        }
        const at2 = posix.normalize(path.replaceAll("\\", "/")).replace(/\/$/, "");
        links.add(at2);
        created.set(at2, read.linkpath);
      }
      return true;
    }
  });
  try {
    await pipeline(stream, extractor);
    for (const [at2, target] of created) {
      if (linkStaysInside(at2, target, links)) continue;
      await unlink(join(into, at2));
      dropped.push(`${at2} -> ${target}`);
    }
  } catch (error) {
    await rm(into, { recursive: true, force: true });
    throw refused(error, into, options.source);
  }
  if (dropped.length > 0) {
    options.reporter.warn(
      `Files source "${options.source}": ${dropped.length} symlink(s) pointing outside the folder were not restored: ${dropped.slice(0, 5).join(", ")}`
    );
  }
  return dropped;
}

// src/targets/github-artifact.ts
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm as rm2, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join2 } from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";

// src/targets/actions-output.ts
var depth = 0;
var original;
function redirected(chunk, ...rest) {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
  const kept = process.env.RUNNER_DEBUG === "1" ? text : text.split(/(?<=\n)/).filter((line) => !line.startsWith("::debug::")).join("");
  const callback = rest.find((arg) => typeof arg === "function");
  if (!kept) {
    callback?.();
    return true;
  }
  return process.stderr.write(kept, callback);
}
async function chatterToStderr(run) {
  if (depth++ === 0) {
    original = process.stdout.write;
    process.stdout.write = redirected;
  }
  try {
    return await run();
  } finally {
    if (--depth === 0 && original) process.stdout.write = original;
  }
}

// src/targets/github-api.ts
var HttpError = class extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
};
var transient = (error) => isNetworkError(error) || error instanceof HttpError && (error.status >= 500 || error.status === 429);
var GithubApi = class {
  constructor(target, config, env) {
    this.target = target;
    this.config = config;
    this.env = env;
  }
  get repository() {
    return this.config.repository ?? this.env.GITHUB_REPOSITORY;
  }
  token() {
    const token = this.config.token ?? this.env.GITHUB_TOKEN;
    if (!token) {
      throw new RunError(`Target "${this.target}": no token to reach GitHub's API.`, {
        hint: "Set GITHUB_TOKEN (in a workflow: env: {GITHUB_TOKEN: ${{ github.token }}} with permissions actions: write), or token: ${VAR} in the target."
      });
    }
    return token;
  }
  repo() {
    const repo = this.repository;
    if (!repo) throw new RunError(`Target "${this.target}": which repository? GITHUB_REPOSITORY is not set.`, { hint: "Set repository: owner/name in the target, or GITHUB_REPOSITORY." });
    return repo;
  }
  /** `path` is below /repos/<owner>/<name>; a 404 on DELETE counts as done. */
  async request(method, path) {
    const base = (this.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/$/, "");
    const url = `${base}/repos/${this.repo()}${path}`;
    const headers = { authorization: `Bearer ${this.token()}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
    return withRetry(
      async () => {
        const response = await fetch(url, { method, headers });
        if (method === "DELETE" && response.status === 404) return void 0;
        if (!response.ok) {
          const text = await response.text().catch(() => "");
          throw new HttpError(response.status, `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
        }
        return response;
      },
      { transient, totalMs: retryBudgetMs(this.env) }
    );
  }
  /** A RunError naming the target and what it was doing, with a hint for the usual statuses. */
  fail(where, doing, error) {
    if (error instanceof RunError) return error;
    const status = error instanceof HttpError ? error.status : void 0;
    const hint = status === 401 ? "GitHub refused the token: check GITHUB_TOKEN (or token:)." : status === 403 ? "The token may not do this: it needs actions: read (list, restore) and actions: write (prune)." : status === 404 ? "Check the repository (owner/name) and that the token can see it." : isNetworkError(error) ? "GitHub's API could not be reached: check the network (and GITHUB_API_URL on GitHub Enterprise)." : void 0;
    return new RunError(`Target "${this.target}" (${where}): ${doing} failed: ${reason(error)}`, { hint, cause: error });
  }
};

// src/targets/target.ts
var medium = external_exports.enum(["disk", "removable-disk", "object", "artifact", "tape", "optical", "cloud-drive"]);
var targetName = external_exports.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: "expected a name of a-z, 0-9, - and _ (up to 63 characters)" });
var targetBase = {
  name: targetName,
  medium: medium.optional(),
  offsite: external_exports.boolean().optional(),
  immutable: external_exports.boolean().optional()
};
var WRITE_ONCE_TYPES = /* @__PURE__ */ new Set(["github-artifact", "github-cache"]);
var FILE_MODE = 384;
var DIR_MODE = 448;
var TEMP_PREFIX = ".restorable-tmp-";
var retryFor = clockDuration.optional();
function retryMessage(target, error, attempt, delayMs, budgetMs) {
  const why = error instanceof Error ? error.message : String(error);
  return `target "${target}": ${why}; retry ${attempt} in ${(delayMs / 1e3).toFixed(1)}s (gives up after ${Math.round(budgetMs / 1e3)}s; retry_for sets it)`;
}

// src/targets/github-artifact.ts
var githubArtifactConfig = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("github-artifact"),
  /** Days GitHub keeps each artifact: 1-90 on public repositories, up to 400 on private ones. */
  retention_days: external_exports.number().int().min(1).max(400).optional(),
  /** For list, restore and prune: a token with actions:read (and actions:write to prune); default GITHUB_TOKEN. */
  token: external_exports.string().optional(),
  /** owner/name; default GITHUB_REPOSITORY. */
  repository: external_exports.string().regex(/^[\w.-]+\/[\w.-]+$/).optional()
});
var PREFIX = "restorable__";
function artifactName(key) {
  return PREFIX + key.replace(/_/g, "_5f").replace(/\//g, "__");
}
function keyOfArtifact(name) {
  if (!name.startsWith(PREFIX)) return void 0;
  let key = "";
  const text = name.slice(PREFIX.length);
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "_") key += text[i];
    else if (text[i + 1] === "_") key += "/", i++;
    else if (text.slice(i + 1, i + 3) === "5f") key += "_", i += 2;
    else return void 0;
  }
  return key;
}
var GithubArtifactTarget = class {
  constructor(name, config, medium2, offsite, immutable, env) {
    this.name = name;
    this.config = config;
    this.medium = medium2;
    this.offsite = offsite;
    this.immutable = immutable;
    this.env = env;
    const wanted = config.retention_days ?? 90;
    const cap = Number(env.GITHUB_RETENTION_DAYS);
    this.expiresAfterDays = cap > 0 && cap < wanted ? cap : wanted;
    this.api = new GithubApi(name, config, env);
    this.where = `GitHub artifacts of ${this.api.repository ?? "(GITHUB_REPOSITORY unset)"}`;
  }
  type = "github-artifact";
  where;
  expiresAfterDays;
  lockable = false;
  writeOnce = true;
  api;
  fail(doing, error) {
    return this.api.fail(this.where, doing, error);
  }
  async artifacts() {
    const all = [];
    for (let page = 1; ; page++) {
      const response = await this.api.request("GET", `/actions/artifacts?per_page=100&page=${page}`);
      const { artifacts } = await response.json();
      all.push(...artifacts.filter((a) => a.name.startsWith(PREFIX) && !a.expired));
      if (artifacts.length < 100) return all;
    }
  }
  async find(key) {
    const name = artifactName(key);
    return (await this.artifacts()).filter((a) => a.name === name).sort((a, b2) => b2.id - a.id)[0];
  }
  async probe() {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": GitHub artifacts can only be uploaded from inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN is not set); no copy was written there.`, {
        hint: "Run the backup in the Action (or a workflow step), or leave this target out of local runs; list, restore and prune reach artifacts from anywhere with GITHUB_TOKEN and GITHUB_REPOSITORY."
      });
    }
    this.api.repo();
  }
  async put(key, body) {
    const name = artifactName(key);
    const dir = await mkdtemp(join2(this.env.RUNNER_TEMP ?? tmpdir(), "restorable-artifact-"));
    try {
      const file = join2(dir, name);
      await pipeline2(body, createWriteStream(file, { flags: "wx" }));
      const { size } = await stat(file);
      const { DefaultArtifactClient } = await import("./artifact-O7LPOEWR.js");
      await chatterToStderr(() => new DefaultArtifactClient().uploadArtifact(name, [file], dir, { skipArchive: true, retentionDays: this.expiresAfterDays }));
      return { bytes: size };
    } catch (error) {
      body.destroy();
      throw this.fail(`uploading ${key}`, error);
    } finally {
      await rm2(dir, { recursive: true, force: true });
    }
  }
  async get(key) {
    let artifact;
    try {
      artifact = await this.find(key);
    } catch (error) {
      throw this.fail(`finding ${key}`, error);
    }
    if (!artifact) throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
    const dir = await mkdtemp(join2(this.env.RUNNER_TEMP ?? tmpdir(), "restorable-artifact-"));
    try {
      const { DefaultArtifactClient } = await import("./artifact-O7LPOEWR.js");
      const [owner, repo] = this.api.repo().split("/");
      const findBy = { token: this.api.token(), workflowRunId: artifact.workflow_run?.id ?? 0, repositoryOwner: owner, repositoryName: repo };
      await chatterToStderr(() => new DefaultArtifactClient().downloadArtifact(artifact.id, { path: dir, skipDecompress: true, findBy }));
      const stream = createReadStream(join2(dir, artifact.name), { highWaterMark: 1 << 20 });
      stream.once("close", () => void rm2(dir, { recursive: true, force: true }));
      await new Promise((resolve6, reject) => stream.once("open", () => resolve6()).once("error", reject));
      return stream;
    } catch (error) {
      await rm2(dir, { recursive: true, force: true });
      throw this.fail(`downloading ${key}`, error);
    }
  }
  async list(prefix) {
    try {
      const newest = /* @__PURE__ */ new Map();
      for (const artifact of (await this.artifacts()).sort((a, b2) => a.id - b2.id)) newest.set(artifact.name, artifact);
      return [...newest.values()].map((a) => ({ key: keyOfArtifact(a.name), size: a.size_in_bytes, modified: new Date(a.created_at) })).filter((o) => o.key !== void 0 && o.key.startsWith(prefix));
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
  }
  async remove(keys) {
    if (keys.length === 0) return;
    try {
      const wanted = new Set(keys.map(artifactName));
      for (const artifact of (await this.artifacts()).filter((a) => wanted.has(a.name))) {
        await this.api.request("DELETE", `/actions/artifacts/${artifact.id}`);
      }
    } catch (error) {
      throw this.fail("removing artifacts", error);
    }
  }
};
var githubArtifact = {
  type: "github-artifact",
  schema: githubArtifactConfig,
  defaults: { medium: "artifact", offsite: true, immutable: false },
  create: (config, ctx) => new GithubArtifactTarget(
    config.name,
    config,
    config.medium ?? githubArtifact.defaults.medium,
    config.offsite ?? githubArtifact.defaults.offsite,
    config.immutable ?? githubArtifact.defaults.immutable,
    ctx.env ?? process.env
  )
};

// src/targets/github-cache.ts
import { createHash } from "node:crypto";
import { createReadStream as createReadStream2, createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir as mkdir2, rm as rm3, stat as stat2 } from "node:fs/promises";
import { tmpdir as tmpdir2 } from "node:os";
import { dirname as dirname2, join as join3 } from "node:path";
import { pipeline as pipeline3 } from "node:stream/promises";
var githubCacheConfig = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("github-cache"),
  /** For list and prune: a token with actions:read/write; default GITHUB_TOKEN. */
  token: external_exports.string().optional(),
  /** owner/name; default GITHUB_REPOSITORY. */
  repository: external_exports.string().regex(/^[\w.-]+\/[\w.-]+$/).optional()
});
var PREFIX2 = "restorable-";
var cacheKey = (key) => PREFIX2 + key;
var keyOfCache = (name) => name.startsWith(PREFIX2) ? name.slice(PREFIX2.length) : void 0;
var GithubCacheTarget = class {
  constructor(name, config, medium2, offsite, immutable, env) {
    this.name = name;
    this.config = config;
    this.medium = medium2;
    this.offsite = offsite;
    this.immutable = immutable;
    this.env = env;
    this.api = new GithubApi(name, config, env);
    this.where = `GitHub Actions cache of ${this.api.repository ?? "(GITHUB_REPOSITORY unset)"}`;
  }
  type = "github-cache";
  where;
  counted = false;
  lockable = false;
  writeOnce = true;
  api;
  /** Where an object is staged to be saved, and restored: the same path for the same key, on every runner. */
  stagePath(key) {
    return join3(this.env.RUNNER_TEMP ?? tmpdir2(), "restorable-cache", createHash("sha256").update(key).digest("hex").slice(0, 24), "object");
  }
  fail(doing, error) {
    return this.api.fail(this.where, doing, error);
  }
  async caches(prefix) {
    const all = [];
    for (let page = 1; ; page++) {
      const response = await this.api.request("GET", `/actions/caches?per_page=100&page=${page}&key=${encodeURIComponent(cacheKey(prefix))}`);
      const { actions_caches: caches } = await response.json();
      all.push(...caches);
      if (caches.length < 100) return all;
    }
  }
  async probe() {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": the GitHub Actions cache exists only inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN is not set); no copy was written there.`, {
        hint: "It is a fast-restore tier for workflows and never counts toward 3-2-1; leave it out of local runs."
      });
    }
  }
  async put(key, body) {
    const path = this.stagePath(key);
    try {
      await rm3(dirname2(path), { recursive: true, force: true });
      await mkdir2(dirname2(path), { recursive: true });
      await pipeline3(body, createWriteStream2(path, { flags: "wx" }));
      const { size } = await stat2(path);
      const cache = await import("./cache-SHIYPC3G.js");
      const id2 = await chatterToStderr(() => cache.saveCache([path], cacheKey(key)));
      if (id2 === -1) throw new RunError(`Target "${this.name}": saving ${key} to the cache failed (the cache client returned -1; see its warning above).`);
      return { bytes: size };
    } catch (error) {
      body.destroy();
      throw this.fail(`saving ${key}`, error);
    } finally {
      await rm3(dirname2(path), { recursive: true, force: true });
    }
  }
  async get(key) {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": the GitHub Actions cache can be read only inside a GitHub Actions job.`, { hint: "Restore from another target (--target), or run the restore in a workflow." });
    }
    const path = this.stagePath(key);
    try {
      await rm3(dirname2(path), { recursive: true, force: true });
      const cache = await import("./cache-SHIYPC3G.js");
      const hit = await chatterToStderr(() => cache.restoreCache([path], cacheKey(key), [], { lookupOnly: false }));
      if (hit !== cacheKey(key)) throw new NotFoundError(`Target "${this.name}" has no ${key} (a cache miss: evicted, another branch's, or the cache is unreachable from here).`);
      const stream = createReadStream2(path, { highWaterMark: 1 << 20 });
      stream.once("close", () => void rm3(dirname2(path), { recursive: true, force: true }));
      return stream;
    } catch (error) {
      await rm3(dirname2(path), { recursive: true, force: true });
      if (error instanceof NotFoundError) throw error;
      throw this.fail(`restoring ${key}`, error);
    }
  }
  async list(prefix) {
    try {
      return (await this.caches(prefix)).map((c) => ({ key: keyOfCache(c.key), size: c.size_in_bytes, modified: new Date(c.created_at) })).filter((o) => o.key !== void 0 && o.key.startsWith(prefix));
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
  }
  async remove(keys) {
    try {
      for (const key of keys) {
        await this.api.request("DELETE", `/actions/caches?key=${encodeURIComponent(cacheKey(key))}`);
      }
    } catch (error) {
      throw this.fail("removing cache entries", error);
    }
  }
};
var githubCache = {
  type: "github-cache",
  schema: githubCacheConfig,
  defaults: { medium: "artifact", offsite: true, immutable: false, counted: false },
  create: (config, ctx) => new GithubCacheTarget(
    config.name,
    config,
    config.medium ?? githubCache.defaults.medium,
    config.offsite ?? githubCache.defaults.offsite,
    config.immutable ?? githubCache.defaults.immutable,
    ctx.env ?? process.env
  )
};

// src/targets/local.ts
import { mkdir as mkdir3, open, readdir, rename, rm as rm4, rmdir, stat as stat3, writeFile } from "node:fs/promises";
import { dirname as dirname3, join as join4, posix as posix2, relative as relative2, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline as pipeline4 } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
var localConfig = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("local"),
  path: external_exports.string().min(1)
});
var TMP = TEMP_PREFIX;
var PROBE = `${TMP}probe-`;
var HOST = hostname().replace(/[^A-Za-z0-9.]/g, "_");
async function removeDeadProbes(root) {
  const mine = new RegExp(`^${PROBE.replace(/[.]/g, "\\.")}${HOST.replace(/[.]/g, "\\.")}-(\\d+)-[0-9a-f]{8}$`);
  for (const name of await readdir(root).catch(() => [])) {
    const pid = Number(mine.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await rm4(join4(root, name), { force: true }).catch(() => void 0);
  }
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
async function fsyncPath(path) {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
async function createInFolder(path) {
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir3(dirname3(path), { recursive: true, mode: DIR_MODE });
      return await open(path, "wx", FILE_MODE);
    } catch (error) {
      const code = error.code;
      if (code !== "ENOENT" && code !== "ENOTDIR" || attempt >= 20) throw error;
    }
  }
}
async function walk(dir, out) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw error;
  }
  for (const entry of entries) {
    const path = join4(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}
var LocalTarget = class {
  constructor(name, root, medium2, offsite, immutable) {
    this.name = name;
    this.root = root;
    this.medium = medium2;
    this.offsite = offsite;
    this.immutable = immutable;
    this.where = root;
  }
  type = "local";
  where;
  localPath(key) {
    const normal = posix2.normalize(key);
    if (normal.startsWith("../") || normal === ".." || posix2.isAbsolute(normal)) throw new RunError(`Invalid object key: ${key}`);
    return join4(this.root, ...normal.split("/"));
  }
  fail(doing, error) {
    return new RunError(`Target "${this.name}" (${this.root}): ${doing} failed: ${reason(error)}`, { hint: ioHint(error), cause: error });
  }
  /**
   * The folder must exist already: a missing /mnt/nas means an unmounted
   * drive, and creating it would put the "copy" on the system disk.
   */
  async probe() {
    const existing = await stat3(this.root).catch(() => void 0);
    if (!existing) {
      throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist.`, {
        hint: "Is the drive mounted? If this is the first use of this target, create the folder (mkdir -p)."
      });
    }
    if (!existing.isDirectory()) {
      throw new RunError(`Target "${this.name}" is not a folder: ${this.root}`, { hint: "Point `path` at a folder (or remove the file that is in the way)." });
    }
    const probe = join4(this.root, `${PROBE}${HOST}-${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await removeDeadProbes(this.root);
      await writeFile(probe, "restorable write probe\n", { mode: FILE_MODE });
      await rm4(probe, { force: true });
    } catch (error) {
      throw new RunError(`Target "${this.name}" is not writable: ${this.root}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
  }
  async put(key, body) {
    const final = this.localPath(key);
    const temp = join4(dirname3(final), `${TMP}${randomBytes(6).toString("hex")}`);
    let bytes = 0;
    try {
      const handle = await createInFolder(temp);
      body.on("data", (chunk) => bytes += chunk.length);
      await pipeline4(body, handle.createWriteStream());
      await fsyncPath(temp);
      await rename(temp, final);
      await fsyncPath(dirname3(final));
      return { bytes };
    } catch (error) {
      body.destroy();
      await rm4(temp, { force: true });
      await rmdir(dirname3(final)).catch(() => void 0);
      throw this.fail(`writing ${key}`, error);
    }
  }
  async get(key) {
    const path = this.localPath(key);
    const handle = await open(path, "r").catch((error) => {
      if (error.code === "ENOENT") throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
      throw this.fail(`reading ${key}`, error);
    });
    return handle.createReadStream({ highWaterMark: 1 << 20 });
  }
  async getRange(key, offset, length) {
    const handle = await open(this.localPath(key), "r").catch((error) => {
      if (error.code === "ENOENT") throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
      throw this.fail(`reading ${key}`, error);
    });
    return length === 0 ? (await handle.close(), Readable.from([])) : handle.createReadStream({ start: offset, end: offset + length - 1, highWaterMark: 1 << 20 });
  }
  async list(prefix) {
    if (!await stat3(this.root).then((s4) => s4.isDirectory(), () => false)) {
      throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist.`, { hint: "Is the drive mounted? Nothing under it can be listed." });
    }
    const paths = [];
    const start = this.localPath(prefix.endsWith("/") ? prefix.slice(0, -1) || "." : dirname3(prefix) || ".");
    try {
      await walk(start, paths);
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
    const objects = [];
    for (const path of paths) {
      const key = relative2(this.root, path).split(sep).join("/");
      if (!key.startsWith(prefix)) continue;
      const info2 = await stat3(path).catch(() => void 0);
      if (info2) objects.push({ key, size: info2.size, modified: info2.mtime });
    }
    return objects;
  }
  async removeEmptyFolders(prefix, keep2) {
    const dir = this.localPath(prefix.replace(/\/+$/, "") || ".");
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const removed = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || keep2.includes(entry.name)) continue;
      if (await rmdir(join4(dir, entry.name)).then(() => true, () => false)) removed.push(entry.name);
    }
    return removed;
  }
  async remove(keys) {
    const dirs = /* @__PURE__ */ new Set();
    for (const key of keys) {
      const path = this.localPath(key);
      try {
        await rm4(path, { force: true });
      } catch (error) {
        throw this.fail(`removing ${key}`, error);
      }
      dirs.add(dirname3(path));
    }
    for (const dir of dirs) {
      for (let at2 = dir; at2.startsWith(this.root + sep); at2 = dirname3(at2)) {
        if (!await rmdir(at2).then(() => true, () => false)) break;
      }
    }
  }
};
var local = {
  type: "local",
  schema: localConfig,
  defaults: { medium: "disk", offsite: false, immutable: false },
  create: (config, ctx) => new LocalTarget(
    config.name,
    resolve(ctx.planDir, config.path),
    config.medium ?? local.defaults.medium,
    config.offsite ?? local.defaults.offsite,
    config.immutable ?? local.defaults.immutable
  )
};

// src/targets/s3.ts
import { Readable as Readable2, Transform } from "node:stream";
import { pipeline as pipeline5 } from "node:stream/promises";
var s3Config = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("s3"),
  retry_for: retryFor,
  bucket: external_exports.string().min(3),
  /** Keys are `<prefix><plan>/<backup id>/<file>`; `backups/` and `backups` mean the same. */
  prefix: external_exports.string().optional(),
  endpoint: external_exports.string().url().optional(),
  region: external_exports.string().optional(),
  /** Bucket in the path (`https://host/bucket/key`), for MinIO and most self-hosted stores. */
  path_style: external_exports.boolean().optional(),
  storage_class: external_exports.string().optional(),
  /** From `${VAR}`; without them the SDK's standard chain (AWS_ACCESS_KEY_ID..., profiles, roles) is used. */
  access_key_id: external_exports.string().optional(),
  secret_access_key: external_exports.string().optional(),
  session_token: external_exports.string().optional(),
  /** Objects are locked for `days` days on upload: the bucket must have Object Lock enabled. */
  object_lock: external_exports.strictObject({ mode: external_exports.enum(["GOVERNANCE", "COMPLIANCE"]), days: external_exports.number().int().min(1) }).optional()
});
var TRANSIENT_NAMES = /* @__PURE__ */ new Set(["SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "ServiceUnavailable", "InternalError", "ThrottlingException", "TimeoutError"]);
function s3Transient(error) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return isNetworkError(error) || status >= 500 || status === 429 || TRANSIENT_NAMES.has(e?.name ?? "");
}
function hintFor(error, bucket) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode;
  switch (e?.name ?? e?.Code) {
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "InvalidClientTokenId":
    case "CredentialsProviderError":
      return "The store refused the credentials: check access_key_id/secret_access_key (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the endpoint.";
    case "AccessDenied":
      return `The credentials may not write to bucket "${bucket}": grant s3:PutObject, GetObject, ListBucket and DeleteObject.`;
    case "NoSuchBucket":
      return `Create bucket "${bucket}" first (restorable never creates buckets), or fix the name.`;
  }
  if (status === 403) return "The store refused the request (403): check the credentials and their permissions on the bucket.";
  if (status === 404) return `Bucket "${bucket}" was not found: create it first, or check endpoint, region and path_style.`;
  if (isNetworkError(error)) return "The store could not be reached: check the endpoint, the network and that the service is up.";
  return void 0;
}
function describe(error) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode;
  const text = reason(error) === "UnknownError" || !reason(error) ? `HTTP ${status ?? "?"}` : reason(error);
  return status && !text.includes(String(status)) ? `${text} (HTTP ${status})` : text;
}
var sdk;
var loadSdk = () => sdk ??= Promise.all([import("./dist-cjs-LUAOM3IJ.js").then(commonJs), import("./dist-cjs-LD65BX43.js").then(commonJs)]);
function commonJs(mod) {
  return mod.default ?? mod;
}
var S3Target = class {
  constructor(name, config, medium2, offsite, immutable, env, onRetry) {
    this.name = name;
    this.config = config;
    this.medium = medium2;
    this.offsite = offsite;
    this.immutable = immutable;
    this.env = env;
    this.onRetry = onRetry;
    this.prefix = config.prefix ? config.prefix.replace(/^\/+/, "").replace(/\/*$/, "/") : "";
    this.where = `s3://${config.bucket}/${this.prefix}${config.endpoint ? ` at ${new URL(config.endpoint).host}` : ""}`;
    const options = {
      region: config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      forcePathStyle: config.path_style ?? false,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
      // Without these a connection that goes silent (a dead NAT entry, a hung proxy) waits for ever.
      requestHandler: { connectionTimeout: 3e4, requestTimeout: 12e4 }
    };
    if (config.endpoint) options.endpoint = config.endpoint;
    if (config.access_key_id && config.secret_access_key) {
      options.credentials = {
        accessKeyId: config.access_key_id,
        secretAccessKey: config.secret_access_key,
        ...config.session_token ? { sessionToken: config.session_token } : {}
      };
    }
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    this.options = options;
  }
  type = "s3";
  where;
  options;
  client;
  prefix;
  async sdk() {
    const [s32, storage] = await loadSdk();
    this.client ??= new s32.S3Client(this.options);
    return { client: this.client, s3: s32, Upload: storage.Upload };
  }
  key(key) {
    return this.prefix + key;
  }
  fail(doing, error) {
    return new RunError(`Target "${this.name}" (${this.where}): ${doing} failed: ${describe(error)}`, { hint: hintFor(error, this.config.bucket), cause: error });
  }
  retry(doing, run) {
    const budget = this.config.retry_for ?? retryBudgetMs(this.env);
    const onRetry = (error, attempt, delay) => this.onRetry?.(retryMessage(this.name, error, attempt, delay, budget));
    return withRetry(run, { transient: s3Transient, totalMs: budget, place: `s3:${this.config.endpoint ?? ""}/${this.config.bucket}`, onRetry }).catch((error) => {
      if (error instanceof NotFoundError) throw error;
      throw this.fail(doing, error);
    });
  }
  async probe() {
    if (this.config.access_key_id && !this.config.secret_access_key) {
      throw new RunError(`Target "${this.name}": access_key_id is set but secret_access_key is not.`, { hint: "Set both, from ${VAR}, or neither (the standard AWS variables are then used)." });
    }
    const { client, s3: s32 } = await this.sdk();
    await this.retry("checking the bucket", () => client.send(new s32.HeadBucketCommand({ Bucket: this.config.bucket })));
  }
  async put(key, body) {
    const { client, Upload } = await this.sdk();
    let bytes = 0;
    const counted = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      }
    });
    const feeding = pipeline5(body, counted).catch(() => void 0);
    const lock = this.config.object_lock;
    const upload = new Upload({
      client,
      // 8 MiB parts, two in flight: at most ~16 MiB in memory whatever the artifact's size.
      partSize: 8 << 20,
      queueSize: 2,
      leavePartsOnError: false,
      params: {
        Bucket: this.config.bucket,
        Key: this.key(key),
        Body: counted,
        ...this.config.storage_class ? { StorageClass: this.config.storage_class } : {},
        ...lock ? {
          ObjectLockMode: lock.mode,
          ObjectLockRetainUntilDate: new Date(Date.now() + lock.days * 864e5),
          // S3 requires a checksum on writes that set a lock.
          ChecksumAlgorithm: "SHA256"
        } : {}
      }
    });
    try {
      await upload.done();
      await feeding;
      return { bytes };
    } catch (error) {
      body.destroy();
      await upload.abort().catch(() => void 0);
      throw this.fail(`writing ${key}`, error);
    }
  }
  async get(key) {
    return (await this.read(key)).body;
  }
  async getRange(key, offset, length) {
    if (length === 0) return Readable2.from([]);
    const { body, from } = await this.read(key, `bytes=${offset}-${offset + length - 1}`);
    if (from > offset) {
      body.destroy();
      throw new RunError(`Target "${this.name}": reading ${key} from byte ${offset} returned bytes from ${from} on.`, { hint: "The S3 service answers ranges wrongly; restore whole (without --path) or from another target." });
    }
    const out = slice(offset - from, length);
    body.once("error", (error) => out.destroy(error));
    out.once("close", () => body.destroy());
    return body.pipe(out);
  }
  async read(key, range) {
    const { client, s3: s32 } = await this.sdk();
    const response = await this.retry(`reading ${key}`, async () => {
      try {
        return await client.send(new s32.GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(key), ...range ? { Range: range } : {} }));
      } catch (error) {
        if (error.name === "NoSuchKey") throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
        if (range && error.name === "InvalidRange") return void 0;
        throw error;
      }
    });
    if (!response) return { body: Readable2.from([]), from: 0 };
    const stream = response.Body;
    if (!(stream instanceof Readable2)) throw new RunError(`Target "${this.name}": reading ${key} returned no stream.`);
    return { body: stream, from: Number(/^bytes (\d+)-/.exec(response.ContentRange ?? "")?.[1] ?? 0) };
  }
  async list(prefix) {
    const { client, s3: s32 } = await this.sdk();
    const objects = [];
    let token;
    do {
      const page = await this.retry(
        `listing ${prefix}`,
        () => client.send(new s32.ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.key(prefix), ...token ? { ContinuationToken: token } : {} }))
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        objects.push({ key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, modified: item.LastModified ?? /* @__PURE__ */ new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : void 0;
    } while (token);
    return objects;
  }
  async remove(keys) {
    const { client, s3: s32 } = await this.sdk();
    for (const key of keys) {
      await this.retry(`removing ${key}`, () => client.send(new s32.DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(key) })));
    }
  }
};
var objectLocked = (config) => config.object_lock !== void 0;
var s3 = {
  type: "s3",
  schema: s3Config,
  defaults: { medium: "object", offsite: true, immutable: false },
  implied: (config) => ({ immutable: objectLocked(config) }),
  create: (config, ctx) => new S3Target(
    config.name,
    config,
    config.medium ?? s3.defaults.medium,
    config.offsite ?? s3.defaults.offsite,
    config.immutable ?? objectLocked(config),
    ctx.env ?? process.env,
    ctx.onRetry
  )
};
function slice(offset, length) {
  let at2 = 0;
  return new Transform({
    transform(chunk, _encoding, callback) {
      const from = Math.max(0, offset - at2);
      const to2 = Math.min(chunk.length, offset + length - at2);
      at2 += chunk.length;
      callback(null, to2 > from ? chunk.subarray(from, to2) : void 0);
    }
  });
}

// src/targets/sftp.ts
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { posix as posix3, resolve as resolve2 } from "node:path";
import { randomBytes as randomBytes2 } from "node:crypto";
import { pipeline as pipeline6 } from "node:stream/promises";
import { promisify } from "node:util";

// src/targets/sftp-streams.ts
import { Readable as Readable3, Writable } from "node:stream";
function settleWithin(work, ms2 = 5e3) {
  let timer;
  const timeout = new Promise((resolve6) => timer = setTimeout(resolve6, ms2));
  return Promise.race([work.then(() => void 0, () => void 0), timeout]).finally(() => clearTimeout(timer));
}
var PIECE = 32 << 10;
var WRITES_IN_FLIGHT = 64;
function handleWriter(sftp2, handle) {
  let position = 0;
  let inflight = 0;
  let failed;
  let waiting;
  const wake = () => {
    const next = waiting;
    waiting = void 0;
    next?.();
  };
  const settled = (error) => {
    inflight--;
    if (error && !failed) failed = error;
    wake();
  };
  const dropped = () => {
    failed ??= Object.assign(new Error("the connection closed during the write"), { code: "ECONNRESET" });
    wake();
  };
  sftp2.once("close", dropped);
  const writer = new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, callback) {
      let offset = 0;
      const send = () => {
        while (!failed && offset < chunk.length && inflight < WRITES_IN_FLIGHT) {
          const length = Math.min(PIECE, chunk.length - offset);
          inflight++;
          sftp2.write(handle, chunk, offset, length, position, settled);
          offset += length;
          position += length;
        }
        if (failed) callback(failed);
        else if (offset < chunk.length || inflight >= WRITES_IN_FLIGHT) waiting = send;
        else callback();
      };
      send();
    },
    final(callback) {
      const done = () => inflight === 0 || failed ? callback(failed) : waiting = done;
      done();
    }
  });
  writer.once("close", () => sftp2.off("close", dropped));
  return writer;
}
function handleReader(sftp2, handle, start, end, lost) {
  const CHUNK = 64 << 10;
  const readAt = async (position, length) => {
    const parts = [];
    for (let done = 0; done < length; ) {
      const buffer = Buffer.allocUnsafe(length - done);
      const got = await Promise.race([
        new Promise((resolve6, reject) => sftp2.read(handle, buffer, 0, length - done, position + done, (error, bytes) => error ? reject(error) : resolve6(bytes))),
        lost
      ]);
      if (got === 0) break;
      parts.push(buffer.subarray(0, got));
      done += got;
    }
    return Buffer.concat(parts);
  };
  async function* chunks() {
    const pending = [];
    let offset = start;
    const topUp = () => {
      while (offset < end && pending.length < 16) {
        const request = readAt(offset, Math.min(CHUNK, end - offset));
        request.catch(() => void 0);
        pending.push(request);
        offset += CHUNK;
      }
    };
    topUp();
    while (pending.length > 0) {
      const chunk = await pending.shift();
      topUp();
      yield chunk;
    }
  }
  return Readable3.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
}

// src/targets/known-hosts.ts
import { createHash as createHash2, createHmac } from "node:crypto";
function hostKeyOf(blob) {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + length).toString("latin1") || "unknown";
  const fingerprint = `SHA256:${createHash2("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { type, base64: blob.toString("base64"), fingerprint };
}
function hostEntryName(host, port) {
  return port === 22 ? host : `[${host}]:${port}`;
}
function globMatch(pattern, name) {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(name);
}
function hostsMatch(field, name) {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  const patterns = field.split(",");
  if (patterns.some((p2) => p2.startsWith("!") && globMatch(p2.slice(1), name))) return false;
  return patterns.some((p2) => !p2.startsWith("!") && globMatch(p2, name));
}
function checkKnownHosts(text, name, key) {
  let listed = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith("@") ? fields.shift() : void 0;
    const [hosts, type, base64] = fields;
    if (!hosts || !type || !base64 || !hostsMatch(hosts, name)) continue;
    if (marker === "@revoked") {
      if (base64 === key.base64) return "revoked";
      continue;
    }
    if (marker) continue;
    if (type === key.type) listed = true;
    if (type === key.type && base64 === key.base64) return "known";
  }
  return listed ? "changed" : "unknown";
}
function matchesPin(pin, key) {
  const text = pin.trim();
  if (text.startsWith("SHA256:")) return text.replace(/=+$/, "") === key.fingerprint;
  const [type, base64] = text.split(/\s+/);
  return type === key.type && base64 === key.base64;
}

// src/targets/sftp.ts
var sftpConfig = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("sftp"),
  host: external_exports.string().min(1),
  port: external_exports.number().int().min(1).max(65535).optional(),
  user: external_exports.string().min(1),
  /** The folder on the server; it must exist. */
  path: external_exports.string().min(1),
  /** The private key itself (OpenSSH or PEM), from `${VAR}`. */
  private_key: external_exports.string().min(1),
  passphrase: external_exports.string().optional(),
  /** Pin: "ssh-ed25519 AAAA..." or "SHA256:..." */
  host_key: external_exports.string().optional(),
  /** A known_hosts file (path, relative to the plan) or its text from `${VAR}`; default ~/.ssh/known_hosts. */
  known_hosts: external_exports.string().optional(),
  retry_for: retryFor
});
var TMP2 = TEMP_PREFIX;
var NO_SUCH_FILE = 2;
var PERMISSION_DENIED = 3;
var FAILURE = 4;
var HostKeyError = class extends RunError {
};
var IDLE_MS = 3e3;
var POOL = 4;
var FOLDERS_AT_ONCE = 16;
function sftpCode(error) {
  const code = error?.code;
  return typeof code === "number" ? code : void 0;
}
function transient2(error) {
  if (error instanceof RestorableError) return false;
  const level = error?.level;
  return isNetworkError(error) || level === "client-timeout" || level === "client-socket";
}
var SftpTarget = class {
  constructor(name, config, medium2, offsite, immutable, planDir, env, onRetry) {
    this.name = name;
    this.config = config;
    this.medium = medium2;
    this.offsite = offsite;
    this.immutable = immutable;
    this.planDir = planDir;
    this.env = env;
    this.onRetry = onRetry;
    this.port = config.port ?? 22;
    this.root = posix3.normalize(config.path).replace(/\/+$/, "") || "/";
    this.where = `sftp://${config.user}@${config.host}${this.port === 22 ? "" : `:${this.port}`}${this.root.startsWith("/") ? "" : "/~/"}${this.root}`;
  }
  type = "sftp";
  where;
  root;
  port;
  idle = [];
  unlinger;
  remote(key) {
    const normal = posix3.normalize(key);
    if (normal.startsWith("../") || normal === ".." || posix3.isAbsolute(normal)) throw new RunError(`Invalid object key: ${key}`);
    return posix3.join(this.root, normal);
  }
  knownHostsText() {
    const value = this.config.known_hosts;
    if (value && /\s/.test(value.trim())) return value;
    const path = value ? resolve2(this.planDir, value) : resolve2(this.env.HOME ?? homedir(), ".ssh", "known_hosts");
    try {
      return readFileSync(path, "utf8");
    } catch {
      return void 0;
    }
  }
  hostKeyProblem(key, verdict) {
    const host = hostEntryName(this.config.host, this.port);
    const pin = `host_key: "${key.type} ${key.base64}"`;
    if (verdict === "unknown") {
      return new HostKeyError(`Target "${this.name}": the host key of ${host} is unknown (${key.type} ${key.fingerprint}); nothing was sent.`, {
        hint: `Compare that fingerprint with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-/, "")}_key.pub on the server). If it matches, pin it in the target: ${pin} (or add the key to known_hosts: ssh-keyscan -p ${this.port} ${this.config.host} >> ~/.ssh/known_hosts).`
      });
    }
    return new HostKeyError(`Target "${this.name}": the host key of ${host} (${key.type} ${key.fingerprint}) does ${verdict === "revoked" ? "appear as @revoked" : "NOT match the one pinned or in known_hosts"}; nothing was sent.`, {
      hint: "Someone may be intercepting the connection, or the server was reinstalled. Check with its admin before you change host_key or known_hosts."
    });
  }
  async connectOnce() {
    let problem;
    const verify = (blob) => {
      const key = hostKeyOf(blob);
      if (this.config.host_key !== void 0) {
        if (matchesPin(this.config.host_key, key)) return true;
        problem = this.hostKeyProblem(key, "pin-mismatch");
        return false;
      }
      const verdict = checkKnownHosts(this.knownHostsText() ?? "", hostEntryName(this.config.host, this.port), key);
      if (verdict === "known") return true;
      problem = this.hostKeyProblem(key, verdict);
      return false;
    };
    const { default: Client } = await import("./src-IXXPBFBJ.js");
    const client = new Client(this.name, { error: () => void 0, end: () => void 0, close: () => void 0 });
    try {
      const sftp2 = await client.connect({
        host: this.config.host,
        port: this.port,
        username: this.config.user,
        privateKey: this.config.private_key,
        ...this.config.passphrase ? { passphrase: this.config.passphrase } : {},
        hostVerifier: verify,
        readyTimeout: 2e4,
        // A server that stops answering is given up after about a minute, not waited on for ever.
        keepaliveInterval: 15e3,
        keepaliveCountMax: 4
      });
      client.client.setNoDelay(true);
      let markLost = () => void 0;
      const lost = new Promise((_resolve, reject) => markLost = reject);
      lost.catch(() => void 0);
      const session = { client, sftp: sftp2, closed: false, lost };
      sftp2.once("close", () => {
        session.closed = true;
        markLost(Object.assign(new Error("Connection lost: the SFTP channel closed"), { code: "ECONNRESET" }));
      });
      return session;
    } catch (error) {
      await settleWithin(client.end());
      if (problem) throw problem;
      const text = reason(error);
      if (/authentication methods failed|privateKey|parse/i.test(text)) {
        throw new RunError(`Target "${this.name}": ${this.config.user}@${this.config.host} refused the key: ${text}`, {
          hint: `Check private_key (its public half must be in ~${this.config.user}/.ssh/authorized_keys on the server) and passphrase.`,
          cause: error
        });
      }
      throw error;
    }
  }
  /** An idle session from the pool, or a new connection (retried within the budget). */
  async acquire() {
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      clearTimeout(session.idleTimer);
      if (!session.closed) return session;
    }
    const budget = this.config.retry_for ?? retryBudgetMs(this.env);
    return withRetry(() => this.connectOnce(), {
      transient: transient2,
      totalMs: budget,
      place: `sftp://${this.config.user}@${this.config.host}:${this.port}`,
      onRetry: (error, attempt, delay) => this.onRetry?.(retryMessage(this.name, error, attempt, delay, budget))
    });
  }
  /** Gives a session that just finished an operation back to the pool. */
  release(session) {
    if (session.closed) return;
    if (this.idle.length >= POOL) {
      void settleWithin(session.client.end());
      return;
    }
    session.idleTimer = setTimeout(() => {
      const at2 = this.idle.indexOf(session);
      if (at2 >= 0) this.idle.splice(at2, 1);
      void settleWithin(session.client.end());
    }, IDLE_MS);
    this.idle.push(session);
    this.unlinger ??= linger(() => this.closeIdle());
  }
  async closeIdle() {
    this.unlinger = void 0;
    const all = this.idle.splice(0);
    await Promise.all(all.map((session) => (clearTimeout(session.idleTimer), settleWithin(session.client.end()))));
  }
  /**
   * Runs `run` on a session. On success the session goes back to the pool,
   * unless `keepOpen`: then `run` has handed it to something that lives on
   * (a read stream) and releases it itself. On failure it is closed (a
   * request may still be pending on it), except after a clean "not found".
   */
  async session(doing, run, keepOpen = false) {
    let session;
    try {
      session = await this.acquire();
    } catch (error) {
      throw this.fail(doing, error);
    }
    try {
      const result = await Promise.race([run(session), session.lost]);
      if (!keepOpen) this.release(session);
      return result;
    } catch (error) {
      if (error instanceof NotFoundError) this.release(session);
      else if (!session.closed) await settleWithin(session.client.end());
      if (error instanceof NotFoundError || error instanceof RunError) throw error;
      throw this.fail(doing, error);
    }
  }
  fail(doing, error) {
    if (error instanceof RunError) return error;
    const code = sftpCode(error);
    const hint = code === PERMISSION_DENIED ? `Permission denied on the server: ${this.config.user} must be able to write ${this.root}.` : code === FAILURE ? "The server refused the write without saying why: a full disk or a quota is the usual cause. Free space there and run again." : code === NO_SUCH_FILE ? `The folder ${this.root} does not exist on the server: create it first.` : isNetworkError(error) || /No response from server|connection closed|Connection lost/i.test(reason(error)) ? "The server could not be reached or dropped the connection: check host, port and that sshd is running." : void 0;
    return new RunError(`Target "${this.name}" (${this.where}): ${doing} failed: ${reason(error)}`, { hint, cause: error });
  }
  async probe() {
    await this.session("checking the folder", async ({ sftp: sftp2 }) => {
      const stats = await promisify(sftp2.stat.bind(sftp2))(this.root).catch((error) => {
        if (sftpCode(error) === NO_SUCH_FILE) throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist on ${this.config.host}.`, { hint: "Create it on the server first (restorable never creates the root folder)." });
        throw error;
      });
      if (!stats.isDirectory()) throw new RunError(`Target "${this.name}": ${this.root} on ${this.config.host} is not a folder.`);
    });
  }
  async mkdirs(sftp2, dir) {
    if (dir === this.root || dir === "/" || dir === ".") return;
    const exists3 = await promisify(sftp2.stat.bind(sftp2))(dir).then(() => true, () => false);
    if (exists3) return;
    await this.mkdirs(sftp2, posix3.dirname(dir));
    await new Promise((resolve6, reject) => sftp2.mkdir(dir, { mode: DIR_MODE }, (error) => error ? reject(error) : resolve6())).catch(async (error) => {
      const gone = await promisify(sftp2.stat.bind(sftp2))(dir).then(() => void 0, (statError) => statError);
      if (gone === void 0) return;
      throw sftpCode(error) === FAILURE && sftpCode(gone) === NO_SUCH_FILE ? gone : error;
    });
  }
  /**
   * Creates a new file, making its folder first. Another run's remove() takes
   * away a folder it leaves empty (a plan's locks/ between two runs), and it may
   * do so between our mkdir and our open: the open (or a mkdir below it) then
   * says "no such file" and the folders are made again.
   */
  async createInFolder(sftp2, path) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.mkdirs(sftp2, posix3.dirname(path));
        return await new Promise((resolve6, reject) => sftp2.open(path, "wx", { mode: FILE_MODE }, (error, handle) => error ? reject(error) : resolve6(handle)));
      } catch (error) {
        if (sftpCode(error) !== NO_SUCH_FILE || attempt >= 20) throw error;
      }
    }
  }
  async put(key, body) {
    const final = this.remote(key);
    const temp = posix3.join(posix3.dirname(final), `${TMP2}${randomBytes2(6).toString("hex")}`);
    let bytes = 0;
    try {
      return await this.session(`writing ${key}`, async (session) => {
        const { sftp: sftp2 } = session;
        try {
          const handle = await this.createInFolder(sftp2, temp);
          let open3 = true;
          try {
            body.on("data", (chunk) => bytes += chunk.length);
            await pipeline6(body, handleWriter(sftp2, handle));
            await promisify(sftp2.ext_openssh_fsync.bind(sftp2))(handle).catch((error) => {
              if (!/does not support/i.test(reason(error))) throw error;
            });
            open3 = false;
            await promisify(sftp2.close.bind(sftp2))(handle);
          } finally {
            if (open3 && !session.closed) await settleWithin(promisify(sftp2.close.bind(sftp2))(handle));
          }
          await promisify(sftp2.ext_openssh_rename.bind(sftp2))(temp, final);
          return { bytes };
        } catch (error) {
          if (!session.closed) await settleWithin(promisify(sftp2.unlink.bind(sftp2))(temp));
          throw error;
        }
      });
    } catch (error) {
      body.destroy();
      throw error;
    }
  }
  async get(key) {
    return this.read(key);
  }
  async getRange(key, offset, length) {
    return this.read(key, { offset, length });
  }
  async read(key, range) {
    const path = this.remote(key);
    return this.session(
      `reading ${key}`,
      async (session) => {
        const { sftp: sftp2, lost } = session;
        const handle = await promisify(sftp2.open.bind(sftp2))(path, "r").catch((error) => {
          if (sftpCode(error) === NO_SUCH_FILE) throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
          throw error;
        });
        const { size } = await promisify(sftp2.fstat.bind(sftp2))(handle);
        const start = range ? Math.min(range.offset, size) : 0;
        const stream = handleReader(sftp2, handle, start, range ? Math.min(size, start + range.length) : size, lost);
        let whole = false;
        stream.once("end", () => {
          whole = true;
          void settleWithin(promisify(sftp2.close.bind(sftp2))(handle));
          this.release(session);
        });
        stream.once("close", () => {
          if (!whole && !session.closed) void settleWithin(session.client.end());
        });
        return stream;
      },
      true
    );
  }
  async list(prefix) {
    const start = prefix.endsWith("/") ? prefix.slice(0, -1) : posix3.dirname(prefix);
    return this.session(`listing ${prefix}`, async ({ sftp: sftp2 }) => {
      const objects = [];
      const readdir4 = promisify(sftp2.readdir.bind(sftp2));
      const read = async (rel) => {
        let entries;
        try {
          entries = await readdir4(rel === "." || rel === "" ? this.root : this.remote(rel));
        } catch (error) {
          if (sftpCode(error) === NO_SUCH_FILE) return [];
          throw error;
        }
        const folders = [];
        for (const entry of entries) {
          const key = rel === "." || rel === "" ? entry.filename : `${rel}/${entry.filename}`;
          if (entry.attrs.isDirectory()) folders.push(key);
          else if (entry.attrs.isFile() && key.startsWith(prefix)) objects.push({ key, size: entry.attrs.size, modified: new Date(entry.attrs.mtime * 1e3) });
        }
        return folders;
      };
      for (let level = [start]; level.length > 0; ) {
        const next = [];
        for (let at2 = 0; at2 < level.length; at2 += FOLDERS_AT_ONCE) {
          for (const folders of await Promise.all(level.slice(at2, at2 + FOLDERS_AT_ONCE).map(read))) next.push(...folders);
        }
        level = next;
      }
      return objects;
    });
  }
  async removeEmptyFolders(prefix, keep2) {
    const dir = this.remote(prefix.replace(/\/+$/, "") || ".");
    return this.session(`clearing empty folders under ${prefix}`, async ({ sftp: sftp2 }) => {
      const entries = await promisify(sftp2.readdir.bind(sftp2))(dir).catch(() => []);
      const removed = [];
      for (const entry of entries) {
        if (!entry.attrs.isDirectory() || keep2.includes(entry.filename)) continue;
        if (await promisify(sftp2.rmdir.bind(sftp2))(posix3.join(dir, entry.filename)).then(() => true, () => false)) removed.push(entry.filename);
      }
      return removed;
    });
  }
  async remove(keys) {
    if (keys.length === 0) return;
    await this.session("removing objects", async ({ sftp: sftp2 }) => {
      const dirs = /* @__PURE__ */ new Set();
      for (const key of keys) {
        const path = this.remote(key);
        await promisify(sftp2.unlink.bind(sftp2))(path).catch((error) => {
          if (sftpCode(error) !== NO_SUCH_FILE) throw error;
        });
        dirs.add(posix3.dirname(path));
      }
      for (const dir of dirs) {
        for (let at2 = dir; at2.startsWith(`${this.root}/`); at2 = posix3.dirname(at2)) {
          if (!await promisify(sftp2.rmdir.bind(sftp2))(at2).then(() => true, () => false)) break;
        }
      }
    });
  }
};
var sftp = {
  type: "sftp",
  schema: sftpConfig,
  defaults: { medium: "disk", offsite: true, immutable: false },
  create: (config, ctx) => new SftpTarget(
    config.name,
    config,
    config.medium ?? sftp.defaults.medium,
    config.offsite ?? sftp.defaults.offsite,
    config.immutable ?? sftp.defaults.immutable,
    ctx.planDir,
    ctx.env ?? process.env,
    ctx.onRetry
  )
};

// src/targets/index.ts
var targetConfig = external_exports.discriminatedUnion("type", [localConfig, s3Config, sftpConfig, githubArtifactConfig, githubCacheConfig]);
var adapters = { local, s3, sftp, "github-artifact": githubArtifact, "github-cache": githubCache };
function targetAdapter(config) {
  return adapters[config.type];
}
function createTarget(config, ctx) {
  return targetAdapter(config).create(config, ctx);
}

// src/status/objectives.ts
var unitMs = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };
var span = external_exports.string().regex(/^\d+(s|m|h|d|w)$/, { error: "expected a duration such as 90s, 30m, 26h, 8d or 2w" }).transform((text) => Number(text.slice(0, -1)) * unitMs[text.slice(-1)]);
var objectivesConfig = external_exports.strictObject({ rpo: span.optional(), rto: span.optional(), drill_max_age: span.optional() });
function humanSeconds(seconds) {
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)}s`;
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86400).toFixed(1)}d`;
}
function evaluateObjectives(objectives, measured) {
  const results = [];
  const { newestAgeSeconds: age, drill } = measured;
  if (age === null) {
    results.push({ name: "backup", met: false, limit_seconds: null, actual_seconds: null, detail: measured.anyBackup ? "no backup has verified copies that meet the copy rule" : "no complete backup on any reachable target" });
  }
  const limit = (ms2) => ms2 === void 0 ? void 0 : ms2 / 1e3;
  const rpo = limit(objectives?.rpo);
  if (rpo !== void 0 && age !== null) {
    results.push({ name: "rpo", met: age <= rpo, limit_seconds: rpo, actual_seconds: age, detail: `newest good backup is ${humanSeconds(age)} old (RPO ${humanSeconds(rpo)})` });
  }
  if (drill) {
    results.push({ name: "drill", met: drill.ok, limit_seconds: null, actual_seconds: null, detail: drill.ok ? `last drill passed ${humanSeconds(drill.ageSeconds)} ago` : `last drill FAILED ${humanSeconds(drill.ageSeconds)} ago` });
  }
  const maxAge = limit(objectives?.drill_max_age);
  if (maxAge !== void 0) {
    results.push(
      drill ? { name: "drill_max_age", met: drill.ageSeconds <= maxAge, limit_seconds: maxAge, actual_seconds: drill.ageSeconds, detail: `last drill was ${humanSeconds(drill.ageSeconds)} ago (at most ${humanSeconds(maxAge)})` } : { name: "drill_max_age", met: false, limit_seconds: maxAge, actual_seconds: null, detail: "no drill has been recorded" }
    );
  }
  const rto = limit(objectives?.rto);
  if (rto !== void 0) {
    results.push(
      drill ? { name: "rto", met: drill.durationSeconds <= rto, limit_seconds: rto, actual_seconds: drill.durationSeconds, detail: `last drill recovered in ${humanSeconds(drill.durationSeconds)} (RTO ${humanSeconds(rto)})` } : { name: "rto", met: false, limit_seconds: rto, actual_seconds: null, detail: "no drill has measured the recovery time" }
    );
  }
  return results;
}

// src/sources/files.ts
var import_picomatch = __toESM(require_picomatch2(), 1);
import { lstatSync as lstatSync2 } from "node:fs";
import { access, constants, lstat as lstat2, readdir as readdir3, rm as rm5, stat as stat4 } from "node:fs/promises";
import { basename as basename2, join as join7, relative as relative4, resolve as resolve3 } from "node:path";

// src/sources/path-swap.ts
import { link, lstat, mkdir as mkdir4, readdir as readdir2, rename as rename2, rmdir as rmdir2, unlink as unlink2 } from "node:fs/promises";
import { basename, dirname as dirname4, join as join5, relative as relative3 } from "node:path";
var pathStep = external_exports.discriminatedUnion("op", [
  /** A folder of the restore point. */
  external_exports.object({ op: external_exports.literal("mkdir"), path: external_exports.string() }),
  /** A rename onto a name that is free. */
  external_exports.object({ op: external_exports.literal("move"), from: external_exports.string(), to: external_exports.string() }),
  /** A hard link of the live file into the restore point (a rename where links are not allowed). */
  external_exports.object({ op: external_exports.literal("link"), live: external_exports.string(), point: external_exports.string() }),
  /** The new file renamed over the live one, whose inode the restore point holds. */
  external_exports.object({ op: external_exports.literal("over"), staged: external_exports.string(), live: external_exports.string(), point: external_exports.string() })
]);
var BESIDE_NAME = /^\..+\.restorable-(new|restore-point|failed)-/;
function besidePath(live, what, tag) {
  return join5(dirname4(live), `.${basename(live)}.restorable-${what}-${tag}`);
}
var info = (path) => lstat(path).catch(() => void 0);
var exists = async (path) => await info(path) !== void 0;
async function planFileSwap(live, staged2, tag, companions = []) {
  const point = besidePath(live, "restore-point", tag);
  const name = basename(live);
  const steps = [];
  const present = [];
  for (const suffix of companions) if (await exists(live + suffix)) present.push(suffix);
  const liveThere = await exists(live);
  if (liveThere || present.length > 0) steps.push({ op: "mkdir", path: point });
  for (const suffix of present) steps.push({ op: "move", from: live + suffix, to: join5(point, name + suffix) });
  if (liveThere) steps.push({ op: "link", live, point: join5(point, name) }, { op: "over", staged: staged2, live, point: join5(point, name) });
  else steps.push({ op: "move", from: staged2, to: live });
  return { point: steps[0].op === "mkdir" ? point : null, steps };
}
async function planTreeSwap(live, staged2, tag, kept, keptBelow = []) {
  const liveInfo = await info(live);
  if (!liveInfo) return { point: null, steps: [{ op: "move", from: staged2, to: live }] };
  const point = besidePath(live, "restore-point", tag);
  const mirror = join5(point, basename(live));
  if (!liveInfo.isDirectory()) return { point, steps: [{ op: "mkdir", path: point }, { op: "move", from: live, to: mirror }, { op: "move", from: staged2, to: live }] };
  const mixed = /* @__PURE__ */ new Set();
  const markParents = (rel) => {
    for (let d = dirname4(rel); d !== "." && d !== ""; d = dirname4(d)) mixed.add(d);
  };
  for (const rel of keptBelow) markParents(rel);
  const walk2 = async (rel) => {
    for (const entry of await readdir2(join5(live, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (kept(r, entry.isDirectory())) markParents(r);
      else if (entry.isDirectory()) await walk2(r);
    }
  };
  await walk2("");
  const steps = [{ op: "mkdir", path: point }, { op: "mkdir", path: mirror }];
  const names = async (dir) => readdir2(dir).catch(() => []);
  const swapFolder = async (rel) => {
    const all = /* @__PURE__ */ new Set([...await names(join5(live, rel)), ...await names(join5(staged2, rel))]);
    for (const name of [...all].sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const [old, fresh] = [await info(join5(live, r)), await info(join5(staged2, r))];
      if (kept(r, (old ?? fresh).isDirectory())) continue;
      if (old?.isDirectory() && mixed.has(r)) {
        steps.push({ op: "mkdir", path: join5(mirror, r) });
        await swapFolder(r);
        continue;
      }
      if (old?.isFile() && fresh && !fresh.isDirectory()) {
        steps.push({ op: "link", live: join5(live, r), point: join5(mirror, r) }, { op: "over", staged: join5(staged2, r), live: join5(live, r), point: join5(mirror, r) });
        continue;
      }
      if (old) steps.push({ op: "move", from: join5(live, r), to: join5(mirror, r) });
      if (fresh) steps.push({ op: "move", from: join5(staged2, r), to: join5(live, r) });
    }
  };
  await swapFolder("");
  return { point, steps, leftover: staged2 };
}
async function planMergeSwap(live, staged2, tag, kept) {
  const liveInfo = await info(live);
  if (!liveInfo?.isDirectory()) return planTreeSwap(live, staged2, tag, kept);
  const point = besidePath(live, "restore-point", tag);
  const mirror = join5(point, basename(live));
  const steps = [];
  const planned = /* @__PURE__ */ new Set();
  const keepAt = (rel) => {
    const missing = [];
    for (let d = dirname4(rel); !planned.has(d === "." ? "" : d); d = dirname4(d)) {
      missing.push(d === "." ? "" : d);
      if (d === ".") break;
    }
    if (!planned.has("") && missing.at(-1) === "") steps.push({ op: "mkdir", path: point });
    for (const d of missing.reverse()) {
      steps.push({ op: "mkdir", path: d ? join5(mirror, d) : mirror });
      planned.add(d);
    }
    return join5(mirror, rel);
  };
  const visit = async (rel) => {
    for (const name of (await readdir2(join5(staged2, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const fresh = await info(join5(staged2, r));
      const old = await info(join5(live, r));
      if (kept(r, fresh.isDirectory())) continue;
      if (fresh.isDirectory() && old?.isDirectory()) {
        await visit(r);
        continue;
      }
      if (old?.isFile() && !fresh.isDirectory()) {
        const at2 = keepAt(r);
        steps.push({ op: "link", live: join5(live, r), point: at2 }, { op: "over", staged: join5(staged2, r), live: join5(live, r), point: at2 });
        continue;
      }
      if (old) steps.push({ op: "move", from: join5(live, r), to: keepAt(r) });
      steps.push({ op: "move", from: join5(staged2, r), to: join5(live, r) });
    }
  };
  await visit("");
  return { point: planned.size > 0 ? point : null, steps, leftover: staged2 };
}
var NO_LINKS = /* @__PURE__ */ new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "EXDEV", "ENOSYS"]);
function fail(step, what, error) {
  throw new RunError(`Could not ${what} (${JSON.stringify(step)})${error ? `: ${reason(error)}` : ""}.`, { hint: error ? ioHint(error) : "Something else changed the live data during the restore; nothing of the previous state was deleted.", cause: error });
}
async function runPathStep(step) {
  try {
    if (step.op === "mkdir") {
      if (!await exists(step.path)) await mkdir4(step.path, { mode: 448 });
    } else if (step.op === "move") {
      if (!await exists(step.from) && await exists(step.to)) return;
      if (await exists(step.to)) fail(step, `move ${step.from}: ${step.to} is in the way`);
      await rename2(step.from, step.to);
    } else if (step.op === "link") {
      if (await exists(step.point)) return;
      await link(step.live, step.point).catch(async (error) => {
        if (!NO_LINKS.has(error.code ?? "")) throw error;
        await rename2(step.live, step.point);
      });
    } else {
      if (!await exists(step.staged)) return;
      if (!await exists(step.point)) fail(step, `replace ${step.live}: its restore point ${step.point} is missing`);
      await rename2(step.staged, step.live);
    }
  } catch (error) {
    if (error instanceof RunError) throw error;
    fail(step, `swap ${step.op === "move" ? step.to : step.op === "mkdir" ? step.path : step.live}`, error);
  }
}
async function undoPathSteps(steps) {
  const stuck = [];
  for (const step of [...steps].reverse()) {
    try {
      await undoOne(step);
    } catch (error) {
      stuck.push(reason(error));
    }
  }
  if (stuck.length > 0) throw new RunError(`Could not put back all of the previous state: ${stuck.slice(0, 3).join("; ")}`, { hint: "The previous state is whole in the restore point named: move it back by hand." });
}
async function undoOne(step) {
  if (step.op === "mkdir") {
    await rmdir2(step.path).catch((error) => {
      if (error.code !== "ENOENT") throw new RunError(`${step.path} is not empty after the undo: ${reason(error)}`);
    });
  } else if (step.op === "move") {
    if (!await exists(step.from) && await exists(step.to) && await exists(dirname4(step.from))) await rename2(step.to, step.from);
  } else if (step.op === "link") {
    const [point, live] = [await info(step.point), await info(step.live)];
    if (!point) return;
    if (!live) await rename2(step.point, step.live);
    else if (live.ino === point.ino && live.dev === point.dev) await unlink2(step.point);
    else throw new RunError(`${step.live} is not the file kept at ${step.point}`);
  } else {
    if (await exists(step.staged)) return;
    if (await exists(step.point)) await rename2(step.point, step.live);
  }
}
function inside(parent, child) {
  const rel = relative3(parent, child);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/") ? rel.split("\\").join("/") : void 0;
}

// src/sources/tar-pack.ts
import { closeSync, openSync, readSync, readlinkSync } from "node:fs";
import { Readable as Readable4 } from "node:stream";
var BLOCK = 512;
var BATCH = 1 << 20;
function modeOf(stats) {
  let mode = stats.mode & 4095;
  if (stats.isDirectory()) {
    if (mode & 256) mode |= 64;
    if (mode & 32) mode |= 8;
    if (mode & 4) mode |= 1;
  }
  return mode;
}
var TreePack = class extends Readable4 {
  #entries;
  #options;
  #uid = process.getuid?.();
  #user = process.env.USER ?? "";
  /** The first path of each file with more than one link, by device and inode: later ones become hard links. */
  #links = /* @__PURE__ */ new Map();
  #open;
  #done = false;
  constructor(entries, options) {
    super({ highWaterMark: BATCH });
    this.#entries = entries[Symbol.iterator]();
    this.#options = options;
  }
  _read() {
    try {
      const batch = Buffer.allocUnsafe(BATCH);
      let used = 0;
      while (used < BATCH && !this.#done) {
        if (this.#open) used = this.#copy(batch, used);
        else {
          const head = this.#next();
          if (head === void 0) break;
          if (used + head.length > BATCH) {
            if (used > 0) this.push(batch.subarray(0, used));
            used = 0;
            this.push(head);
            return;
          }
          head.copy(batch, used);
          used += head.length;
        }
      }
      if (used > 0) this.push(batch.subarray(0, used));
      if (this.#done && !this.#open) this.push(null);
    } catch (error) {
      this.destroy(error);
    }
  }
  _destroy(error, callback) {
    if (this.#open) closeSync(this.#open.fd);
    this.#open = void 0;
    callback(error);
  }
  /** Copies what fits of the open file's content and padding into `batch`; closes it when done. */
  #copy(batch, used) {
    const open3 = this.#open;
    while (open3.left > 0 && used < batch.length) {
      const want = Math.min(open3.left, batch.length - used);
      let got = 0;
      try {
        if (!open3.short) got = readSync(open3.fd, batch, used, want, null);
      } catch (error) {
        this.#options.unreadable(open3.rel, reason(error));
        open3.short = true;
      }
      if (got === 0) {
        if (!open3.short) this.#options.unreadable(open3.rel, "the file became shorter while it was read");
        open3.short = true;
        batch.fill(0, used, used + want);
        got = want;
      }
      used += got;
      open3.left -= got;
    }
    if (open3.left > 0) return used;
    const pad = Math.min(open3.pad, batch.length - used);
    batch.fill(0, used, used + pad);
    used += pad;
    open3.pad -= pad;
    if (open3.pad === 0) {
      closeSync(open3.fd);
      this.#open = void 0;
    }
    return used;
  }
  /** The header block(s) of the next entry, opening its file when it has content; undefined at the end. */
  #next() {
    for (; ; ) {
      const step = this.#entries.next();
      if (step.done) {
        this.#done = true;
        return Buffer.alloc(BLOCK * 2);
      }
      const { rel, abs, stats } = step.value;
      const path = rel === "." ? "./" : `./${rel}${stats.isDirectory() ? "/" : ""}`;
      const data = {
        path,
        mode: modeOf(stats),
        uid: stats.uid,
        gid: stats.gid,
        size: 0,
        mtime: stats.mtime,
        uname: stats.uid === this.#uid ? this.#user : "",
        atime: stats.atime,
        ctime: stats.ctime
      };
      if (stats.isDirectory()) data.type = "Directory";
      else if (stats.isSymbolicLink()) {
        try {
          data.linkpath = readlinkSync(abs);
        } catch (error) {
          if (error.code === "ENOENT" && this.#options.vanished) this.#options.vanished(rel, stats);
          else this.#options.unreadable(rel, reason(error));
          continue;
        }
        data.type = "SymbolicLink";
      } else if (stats.nlink > 1 && this.#links.has(`${stats.dev}:${stats.ino}`)) {
        data.type = "Link";
        data.linkpath = this.#links.get(`${stats.dev}:${stats.ino}`);
      } else {
        let fd;
        try {
          fd = openSync(abs, "r");
        } catch (error) {
          if (error.code === "ENOENT" && this.#options.vanished) this.#options.vanished(rel, stats);
          else this.#options.unreadable(rel, reason(error));
          continue;
        }
        if (stats.nlink > 1) this.#links.set(`${stats.dev}:${stats.ino}`, rel);
        data.type = "File";
        data.size = stats.size;
        this.#open = { fd, rel, left: stats.size, pad: (BLOCK - stats.size % BLOCK) % BLOCK, short: false };
        if (stats.size === 0) {
          closeSync(fd);
          this.#open = void 0;
        }
      }
      return encode(data, stats);
    }
  }
};
function encode(data, stats) {
  const header = new F(data);
  header.encode();
  const block = header.block;
  if (!header.needPax) return block;
  const pax = new ft({
    atime: header.atime,
    ctime: header.ctime,
    gid: header.gid,
    mtime: header.mtime,
    path: data.path,
    linkpath: data.linkpath,
    size: header.size,
    uid: header.uid,
    uname: header.uname,
    dev: stats.dev,
    ino: stats.ino,
    nlink: stats.nlink
  });
  return Buffer.concat([pax.encode(), block]);
}

// src/sources/tree-walk.ts
import { lstatSync, readdirSync } from "node:fs";
import { join as join6 } from "node:path";
var byName = (a, b2) => a < b2 ? -1 : a > b2 ? 1 : 0;
function* walkTree(root, options) {
  yield { rel: ".", abs: root, stats: lstatSync(root) };
  const stack = [];
  const enter = (abs, rel) => void stack.push({ abs, rel, names: readdirSync(abs).sort(byName), next: 0 });
  enter(root, "");
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.names.length) {
      stack.pop();
      continue;
    }
    const name = top.names[top.next++];
    const rel = top.rel ? `${top.rel}/${name}` : name;
    const abs = join6(top.abs, name);
    let stats;
    try {
      stats = lstatSync(abs);
    } catch (error) {
      if (error.code !== "ENOENT") options.unreadable(rel, reason(error));
      continue;
    }
    const isDir = stats.isDirectory();
    if (!options.keep(rel, isDir)) continue;
    yield { rel, abs, stats };
    if (isDir) enter(abs, rel);
  }
}

// src/sources/source.ts
var sourceName = external_exports.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: "expected a name of a-z, 0-9, - and _ (up to 63 characters)" });
var sourceBase = {
  name: sourceName,
  /** Sources this one snapshots after. Files default to after every database. */
  after: external_exports.array(sourceName).optional()
};

// src/sources/files.ts
var filesConfig = external_exports.strictObject({
  ...sourceBase,
  type: external_exports.literal("files"),
  path: external_exports.string().min(1),
  /** Globs relative to `path`; a file is kept when it matches one (default: all). */
  include: external_exports.array(external_exports.string().min(1)).optional(),
  /** Globs relative to `path`; matching files and folders are left out. */
  exclude: external_exports.array(external_exports.string().min(1)).default([]),
  /**
   * repository (default): a deduplicated, content-addressed repository per
   * target (only what changed is stored; see docs/repository.md). tar: one
   * plain archive per backup, the default in a plan with a write-once target
   * (GitHub artifact, cache), which cannot hold a repository.
   */
  storage: external_exports.enum(["tar", "repository"]).default("repository")
});
function selector(config) {
  const excluded = (0, import_picomatch.default)(config.exclude, { dot: true });
  const included = config.include ? (0, import_picomatch.default)(config.include, { dot: true }) : () => true;
  return (path, isDir) => {
    if (path === "." || path === "") return true;
    if (BESIDE_NAME.test(basename2(path))) return false;
    if (excluded(path) || isDir && excluded(`${path}/`)) return false;
    return isDir || included(path);
  };
}
var leftOut = /* @__PURE__ */ new Map();
function noteLeftOut(into, count) {
  leftOut.set(into, count);
}
async function countTree(root) {
  const counts2 = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const folders = [root];
  for (let folder = folders.pop(); folder !== void 0; folder = folders.pop()) {
    for (const entry of await readdir3(folder, { withFileTypes: true })) {
      const path = join7(folder, entry.name);
      if (entry.isDirectory()) {
        counts2.dirs += 1;
        folders.push(path);
      } else if (entry.isSymbolicLink()) counts2.symlinks += 1;
      else if (entry.isFile()) {
        counts2.files += 1;
        counts2.bytes += lstatSync2(path).size;
      }
    }
  }
  return counts2;
}
async function tarSizeOf(root, keep2) {
  let bytes = 1024;
  const visit = async (dir) => {
    const entries = await readdir3(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join7(dir, entry.name);
      const rel = relative4(root, path);
      if (!keep2(rel, entry.isDirectory())) continue;
      bytes += 512;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) bytes += Math.ceil(((await lstat2(path).catch(() => void 0))?.size ?? 0) / 512) * 512;
    }
  };
  await visit(root);
  return bytes + 512;
}
var files = {
  type: "files",
  kind: "files",
  schema: filesConfig,
  extension: ".tar",
  describe(config, ctx) {
    const filters = [config.include && `include ${config.include.join(", ")}`, config.exclude.length > 0 && `exclude ${config.exclude.join(", ")}`];
    const note = filters.filter(Boolean).join("; ");
    return `tar of ${resolve3(ctx.planDir, config.path)}${note ? ` (${note})` : ""}, symlinks as links`;
  },
  liveLocation: (config, ctx) => resolve3(ctx.planDir, config.path),
  async probe(config, ctx) {
    const root = files.liveLocation(config, ctx);
    try {
      const info2 = await stat4(root);
      if (!info2.isDirectory()) throw new RunError(`Files source "${config.name}": ${root} is not a folder.`, { hint: "Point `path` at a folder." });
      await access(root, constants.R_OK | constants.X_OK);
    } catch (error) {
      if (error instanceof RunError) throw error;
      throw new RunError(`Files source "${config.name}": cannot read ${root}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
  },
  async snapshot(config, ctx) {
    const root = files.liveLocation(config, ctx);
    const keep2 = selector(config);
    const walk2 = { files: 0, dirs: 0, symlinks: 0, bytes: 0, skipped: [], unreadable: [] };
    const entries = function* () {
      for (const entry of walkTree(root, { keep: keep2, unreadable })) {
        const { rel, stats } = entry;
        if (stats.isFile()) {
          walk2.files += 1;
          walk2.bytes += stats.size;
        } else if (stats.isDirectory()) walk2.dirs += rel === "." ? 0 : 1;
        else if (stats.isSymbolicLink()) walk2.symlinks += 1;
        else {
          walk2.skipped.push(rel);
          continue;
        }
        yield entry;
      }
    };
    const unreadable = (rel, message) => void walk2.unreadable.push(`${rel}: ${message}`);
    const vanished = (_rel, stats) => {
      if (stats.isSymbolicLink()) walk2.symlinks -= 1;
      else {
        walk2.files -= 1;
        walk2.bytes -= stats.size;
      }
    };
    const stream = new TreePack(entries(), { unreadable, vanished });
    const info2 = new Promise((resolveInfo, reject) => {
      stream.once("end", () => {
        if (walk2.skipped.length > 0) ctx.reporter.warn(`Files source "${config.name}": skipped ${walk2.skipped.length} special file(s) (sockets, devices, fifos): ${walk2.skipped.slice(0, 5).join(", ")}`);
        if (walk2.unreadable.length > 0) {
          reject(
            new RunError(`Files source "${config.name}": ${walk2.unreadable.length} path(s) could not be read: ${walk2.unreadable.slice(0, 5).join("; ")}`, {
              hint: "Give the user running restorable read access to the whole folder, or exclude those paths in the plan."
            })
          );
          return;
        }
        const { files: count, dirs, symlinks, bytes } = walk2;
        resolveInfo({ engine: null, method: "tar stream", schemaVersion: null, counts: { files: count, dirs, symlinks, bytes } });
      });
      stream.once("error", reject);
    });
    info2.catch(() => void 0);
    return { stream: () => stream, info: info2, expectedBytes: tarSizeOf(root, keep2).catch(() => void 0) };
  },
  currentSchemaVersion: async () => null,
  async materialize(config, stream, into, ctx) {
    leftOut.set(into, (await extractSafely(stream, into, { source: config.name, reporter: ctx.reporter })).length);
  },
  async inspectBuilt(_config, location) {
    const found = await countTree(location);
    found.symlinks += leftOut.get(location) ?? 0;
    return { unsound: null, counts: { ...found } };
  },
  stagingLocation: (config, ctx, tag) => besidePath(files.liveLocation(config, ctx), "new", tag),
  async planSwap(config, staged2, ctx, tag, keep2, partial) {
    const root = files.liveLocation(config, ctx);
    const covered = selector(config);
    const others = new Set(keep2.flatMap((path) => inside(root, path) ?? []));
    const kept = (rel, isDir) => others.has(rel) || BESIDE_NAME.test(basename2(rel)) || !covered(rel, isDir);
    return partial ? planMergeSwap(root, staged2, tag, kept) : planTreeSwap(root, staged2, tag, kept, [...others]);
  },
  runStep: (_config, step) => runPathStep(pathStep.parse(step)),
  undoSteps: (_config, steps) => undoPathSteps(steps.map((s4) => pathStep.parse(s4))),
  ownedPaths: (config, ctx) => [files.liveLocation(config, ctx)],
  async discard(staged2) {
    leftOut.delete(staged2);
    await rm5(staged2, { recursive: true, force: true });
  }
};

// src/sources/postgres.ts
import { statfs } from "node:fs/promises";
import { join as join11 } from "node:path";

// src/sources/pg-connection.ts
import { readFileSync as readFileSync2 } from "node:fs";

// src/sources/pg-psql.ts
import { spawn } from "node:child_process";
import { randomBytes as randomBytes3 } from "node:crypto";
import { createInterface } from "node:readline";
var PsqlError = class extends Error {
  constructor(message, code, severity) {
    super(message);
    this.code = code;
    this.severity = severity;
  }
};
var ExecPrefixError = class extends Error {
  constructor(message, prefix) {
    super(message);
    this.prefix = prefix;
  }
};
var CONNECT_CODES = [
  [/database "[^"]*" does not exist/, "3D000"],
  [/password authentication failed/, "28P01"],
  [/no password supplied|Peer authentication failed|Ident authentication failed|no pg_hba\.conf entry/, "28000"],
  [/Connection refused|No such file or directory/, "ECONNREFUSED"],
  [/could not translate host name/, "ENOTFOUND"]
];
function errorFrom(stderr, what, exit, prefix) {
  const text = stderr.trim();
  const server = /^(?:psql:[^\n]*?)?(ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):\s+(.*)$/m.exec(text);
  if (server) return new PsqlError(server[3], server[2], server[1]);
  const psql = /^psql: error: (.*)$/m.exec(text);
  if (psql) {
    const said = psql[1].replace(/^connection to server .*? failed: /, "").replace(/^FATAL:\s+/, "");
    return new PsqlError(said, CONNECT_CODES.find(([re2]) => re2.test(text))?.[1], "FATAL");
  }
  return new ExecPrefixError(`${what} failed (${exit}): ${text.split("\n").slice(0, 3).join(" | ") || "no message"}`, prefix);
}
function bind(text, values) {
  const literal3 = (v2) => {
    if (v2 === null || v2 === void 0) return "NULL";
    if (typeof v2 === "number" || typeof v2 === "bigint") return String(v2);
    if (typeof v2 === "boolean") return v2 ? "true" : "false";
    if (Array.isArray(v2)) return v2.length === 0 ? "'{}'" : `ARRAY[${v2.map(literal3).join(", ")}]`;
    return `'${String(v2).replace(/'/g, "''")}'`;
  };
  return text.replace(/\$(\d+)/g, (_2, n) => literal3(values[Number(n) - 1]));
}
var RETURNS_ROWS = /^\s*(select|with|values|table)\b/i;
async function openPsql(prefix, argv2, env) {
  const what = `psql through \`${prefix.join(" ")}\``;
  argv2 = [...prefix, ...argv2];
  const [head, ...rest] = argv2;
  const [file, args] = tiedToParent(head, [...rest, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"]);
  const child = spawn(file, args, { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 32e3) stderr += chunk.toString("utf8");
  });
  child.stdin.on("error", () => void 0);
  const exited = new Promise((resolve6) => {
    child.once("error", (error) => resolve6(new ExecPrefixError(`${what}: cannot run ${head}: ${error.message}`, prefix.join(" "))));
    child.once("close", (code, signal) => resolve6(errorFrom(stderr, what, signal ?? `exit ${code}`, prefix.join(" "))));
  });
  const lines = createInterface({ input: child.stdout });
  let answer = [];
  let waiting;
  lines.on("line", (line) => {
    if (waiting && line === waiting.marker) {
      const { resolve: resolve6 } = waiting;
      waiting = void 0;
      resolve6(answer.join("\n"));
      answer = [];
    } else answer.push(line);
  });
  let queue = Promise.resolve();
  let closed = false;
  const run = (sql) => new Promise((resolve6, reject) => {
    if (closed) return reject(new Error(`${what}: the session has ended`));
    const marker = `__restorable_${randomBytes3(8).toString("hex")}__`;
    waiting = { marker, resolve: resolve6 };
    void exited.then(reject);
    child.stdin.write(`${sql}
;
\\echo ${marker}
`);
  });
  const session = {
    query(query, values) {
      const text = (typeof query === "string" ? query : query.text).trim().replace(/;+\s*$/, "");
      const sql = values && values.length > 0 ? bind(text, values) : text;
      const rows = RETURNS_ROWS.test(sql);
      const wrapped = rows ? `select coalesce(json_agg(q), '[]') from (
${sql}
) q` : sql;
      const result = queue.then(async () => {
        const out = await run(wrapped);
        if (!rows) return { rows: [], rowCount: null };
        const parsed = JSON.parse(out || "[]");
        const shaped = typeof query !== "string" && query.rowMode === "array" ? parsed.map((r) => Object.values(r)) : parsed;
        return { rows: shaped, rowCount: parsed.length };
      });
      queue = result.catch(() => void 0);
      return result;
    },
    async end() {
      if (closed) return;
      closed = true;
      child.stdin.end("\\q\n");
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          child.kill("SIGTERM");
        }
      }, 1e4);
      await exited;
      clearTimeout(timer);
    }
  };
  await session.query("select 1 as ok");
  return session;
}

// src/sources/pg-connection.ts
var tlsFields = {
  sslmode: external_exports.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]).optional(),
  sslrootcert: external_exports.string().min(1).optional(),
  sslcert: external_exports.string().min(1).optional(),
  sslkey: external_exports.string().min(1).optional()
};
var connectionFields = {
  /** postgres://user:${PASSWORD}@host:5432/db?sslmode=require */
  url: external_exports.string().regex(/^postgres(ql)?:\/\//, { error: "expected a postgres:// or postgresql:// URL" }).optional(),
  host: external_exports.string().min(1).optional(),
  port: external_exports.number().int().min(1).max(65535).optional(),
  user: external_exports.string().min(1).optional(),
  database: external_exports.string().min(1).optional(),
  ...tlsFields,
  /**
   * A command prefix that pg_dump, pg_restore and psql run through, where the
   * server is (`[docker, exec, -i, immich_postgres]`, `[ssh, db-host]`): host,
   * port and paths are then as seen there, and every SQL statement goes through
   * psql too. The password is in the prefixed process's environment only.
   */
  exec: external_exports.array(external_exports.string().min(1)).min(1, { error: "expected a command prefix as an argument array, e.g. [docker, exec, -i, immich_postgres]" }).optional()
};
function parseConnection(config) {
  let fromUrl = {};
  if (config.url) {
    let url;
    try {
      url = new URL(config.url);
    } catch {
      throw new UsageError("The PostgreSQL `url` is not a valid URL.", { hint: "Expected postgres://user@host:5432/database (the password through ${VAR} or PGPASSWORD)." });
    }
    const param = (name) => url.searchParams.get(name) ?? void 0;
    const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
    fromUrl = {
      host: url.hostname ? decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1") : param("host"),
      port: url.port ? Number(url.port) : param("port") ? Number(param("port")) : void 0,
      user: url.username ? decodeURIComponent(url.username) : param("user"),
      database: path || param("dbname"),
      password: url.password ? decodeURIComponent(url.password) : void 0,
      ssl: { sslmode: param("sslmode"), sslrootcert: param("sslrootcert"), sslcert: param("sslcert"), sslkey: param("sslkey") }
    };
  }
  const pick = (field, url) => field ?? url;
  return {
    host: pick(config.host, fromUrl.host),
    port: pick(config.port, fromUrl.port),
    user: pick(config.user, fromUrl.user),
    database: pick(config.database, fromUrl.database) ?? "postgres",
    password: fromUrl.password,
    exec: config.exec ?? [],
    ssl: {
      sslmode: pick(config.sslmode, fromUrl.ssl?.sslmode),
      sslrootcert: pick(config.sslrootcert, fromUrl.ssl?.sslrootcert),
      sslcert: pick(config.sslcert, fromUrl.ssl?.sslcert),
      sslkey: pick(config.sslkey, fromUrl.ssl?.sslkey)
    }
  };
}
function quote(value) {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
function conninfo(conn, database = conn.database) {
  const parts = [
    ["host", conn.host],
    ["port", conn.port],
    ["user", conn.user],
    ["dbname", database]
  ];
  return parts.flatMap(([key, value]) => value === void 0 ? [] : [`${key}=${quote(String(value))}`]).join(" ");
}
function childEnv(conn, base = process.env) {
  const env = { ...base };
  if (conn.password !== void 0) env.PGPASSWORD = conn.password;
  const ssl = [
    ["sslmode", "PGSSLMODE"],
    ["sslrootcert", "PGSSLROOTCERT"],
    ["sslcert", "PGSSLCERT"],
    ["sslkey", "PGSSLKEY"]
  ];
  for (const [key, name] of ssl) if (conn.ssl[key] !== void 0) env[name] = conn.ssl[key];
  return env;
}
function describeConnection(conn, database = conn.database) {
  return `${conn.user ? `${conn.user}@` : ""}${conn.host ?? "local socket"}${conn.port ? `:${conn.port}` : ""}/${database}`;
}
function sslOption(ssl) {
  const mode = ssl.sslmode ?? process.env.PGSSLMODE;
  if (mode === void 0 || mode === "disable" || mode === "allow" || mode === "prefer") return false;
  const read = (path) => path ? readFileSync2(path, "utf8") : void 0;
  const verify = mode === "verify-ca" || mode === "verify-full";
  return {
    rejectUnauthorized: verify,
    ...ssl.sslrootcert ? { ca: read(ssl.sslrootcert) } : {},
    ...ssl.sslcert ? { cert: read(ssl.sslcert) } : {},
    ...ssl.sslkey ? { key: read(ssl.sslkey) } : {},
    ...mode === "verify-ca" ? { checkServerIdentity: () => void 0 } : {}
  };
}
async function connect(conn, database = conn.database) {
  if (conn.exec.length > 0) return openPsql(conn.exec, ["psql", "--no-password", `--dbname=${conninfo(conn, database)}`], childEnv(conn));
  const { default: { Client } } = await import("./esm-4WWGEIVY.js");
  const client = new Client({
    ...conn.host !== void 0 ? { host: conn.host } : {},
    ...conn.port !== void 0 ? { port: conn.port } : {},
    ...conn.user !== void 0 ? { user: conn.user } : {},
    ...conn.password !== void 0 ? { password: conn.password } : {},
    database,
    ssl: sslOption(conn.ssl),
    connectionTimeoutMillis: 15e3,
    application_name: "restorable"
  });
  client.on("error", () => void 0);
  await client.connect();
  return {
    query: (query, values) => client.query(query, values),
    end: () => client.end()
  };
}
async function withClient(conn, database, work) {
  const client = await connect(conn, database);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => void 0);
  }
}
function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// src/sources/pg-dump.ts
import { mkdir as mkdir5, writeFile as writeFile2 } from "node:fs/promises";
import { join as join9 } from "node:path";

// src/sources/pg-tools.ts
import { spawn as spawn2 } from "node:child_process";
import { closeSync as closeSync2, existsSync, openSync as openSync2, readdirSync as readdirSync2 } from "node:fs";
import { join as join8 } from "node:path";
import { Readable as Readable5 } from "node:stream";
var DEBIAN_ROOT = "/usr/lib/postgresql";
function candidates(binDir, exec) {
  if (binDir) return [binDir];
  if (exec.length > 0) return [null];
  const majors = existsSync(DEBIAN_ROOT) ? readdirSync2(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d)) : [];
  const dirs = majors.sort((a, b2) => Number(b2) - Number(a)).map((m2) => join8(DEBIAN_ROOT, m2, "bin")).filter((d) => existsSync(join8(d, "pg_dump")));
  return [...dirs, null];
}
async function versionOf(dir, exec) {
  const pgDump = dir ? join8(dir, "pg_dump") : "pg_dump";
  const result = await runCommand([...exec, pgDump, "--version"], { cwd: "/", timeoutMs: 15e3 }).catch(() => void 0);
  const match = result?.code === 0 ? /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout) : null;
  if (!match) return void 0;
  return { version: `${match[1]}${match[2] !== void 0 ? `.${match[2]}` : ""}`, major: Number(match[1]) };
}
var chosen = /* @__PURE__ */ new Map();
function findTools(serverMajor, binDir, exec = []) {
  const key = JSON.stringify([serverMajor, binDir ?? "", exec]);
  if (!chosen.has(key)) {
    const found = search(serverMajor, binDir, exec);
    found.catch(() => chosen.delete(key));
    chosen.set(key, found);
  }
  return chosen.get(key);
}
async function search(serverMajor, binDir, exec) {
  const found = [];
  let fit;
  for (const dir of candidates(binDir, exec)) {
    const version = await versionOf(dir, exec);
    if (!version) continue;
    found.push({ dir, ...version });
    if (version.major >= serverMajor) {
      fit = found.at(-1);
      break;
    }
  }
  if (!fit) {
    const newest = found.sort((a, b2) => b2.major - a.major)[0];
    const through = exec.length > 0 ? ` through \`${exec.join(" ")}\`` : "";
    const where = `${binDir ? ` in bin_dir ${binDir}` : ""}${through}`;
    throw new RunError(
      newest ? `pg_dump ${newest.version}${where} is older than the PostgreSQL ${serverMajor} server: it cannot dump it.` : `No pg_dump found${where || " (looked in /usr/lib/postgresql/*/bin and PATH)"}.`,
      { hint: exec.length > 0 ? `Check that \`${exec.join(" ")} pg_dump --version\` works here (the container runs, the user exists), and that the tools are on the PATH there, or set bin_dir to their folder there.` : `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}, from apt.postgresql.org if your release lacks it), or point bin_dir at them.` }
    );
  }
  return { ...fit, command: (tool) => [...exec, fit.dir ? join8(fit.dir, tool) : tool] };
}
function failedObject(stderr) {
  const command = /^Command was: ([\s\S]*?)(?=^pg_restore:|(?![\s\S]))/m.exec(stderr)?.[1]?.replace(/\s+/g, " ").trim();
  const context = [...stderr.matchAll(/^(CONTEXT|QUERY):\s+(.*)$/gm)].map((m2) => `${m2[1]}: ${m2[2].trim()}`);
  return { command, context };
}
var clip = (text, max) => text.length > max ? `${text.slice(0, max - 3)}...` : text;
function searchPathHint(stderr, command) {
  const missing = /(type|function|operator|relation) ((?:"[^"]+"|[^\s"])+(?:\([^)]*\))?) does not exist/.exec(stderr);
  if (!missing || !command) return void 0;
  const within = /SQL function "([^"]+)"|PL\/pgSQL function ([^\s(]+)/.exec(stderr);
  const inObject = /^(CREATE (UNIQUE )?INDEX|ALTER TABLE .* (SET DEFAULT|ADD CONSTRAINT)|CREATE TABLE .* (DEFAULT|CHECK|GENERATED))/i.test(command);
  if (!within && !inObject) return void 0;
  const fn = within?.[1] ?? within?.[2];
  const where = fn ? `function ${fn}, called by ${clip(command.split(" ").slice(0, 5).join(" "), 80)},` : `${clip(command.split(" ").slice(0, 5).join(" "), 80)}`;
  return `The ${missing[1]} ${missing[2]} exists, but ${where} finds it through search_path, which pg_dump's dumps set to '' while restoring. Fix it in the live database: ${fn ? `ALTER FUNCTION ${fn} SET search_path = public` : "schema-qualify the name in the expression"} (or write public.${missing[2].replace(/\(.*$/, "")} in it; an extension's type or function lives in the schema it was created in), then take a new backup. This backup restores by hand after the same fix on the target: pg_restore --section=pre-data, fix, then --section=data and post-data.`;
}
function explainToolError(tool, stderr, status) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const important = lines.filter((l) => /error|fatal|failed|denied|detail:/i.test(l) && !/^(Command was|CONTEXT|QUERY):/.test(l));
  const { command, context } = failedObject(stderr);
  const whole = [...context, ...command ? [`Command was: ${clip(command, 400)}`] : []];
  const said = [...(important.length > 0 ? important : lines).slice(0, 4), ...whole].join(" | ") || "no message";
  const table = /(?:table|relation) "?([^"\s]+)"?/i.exec(stderr)?.[1];
  let hint = searchPathHint(stderr, command);
  if (hint) {
  } else if (/password authentication failed|no password supplied/i.test(stderr)) hint = "Check the password (PGPASSWORD, or ${VAR} in the url) and the user.";
  else if (/role "[^"]+" does not exist/i.test(stderr)) hint = "The dump names a role this server lacks: create it first, or back up with globals: true (missing roles are then created on restore).";
  else if (/statement timeout/i.test(stderr) && /LOCK TABLE/i.test(stderr)) hint = `Table ${table ?? ""} stayed locked longer than lock_wait_timeout (a migration or a long ALTER TABLE?). Run the backup again later, or raise lock_wait_timeout.`;
  else if (/could not extend file|No space left on device/i.test(stderr)) hint = tool === "pg_restore" ? "The database server's disk is full: the restored copy is built beside the live database, so it needs room for both. Free space on the server and run again; the live database was not touched." : "The disk holding the staging folder is full: free space there, or point --staging (or TMPDIR) at a disk with room for the dump.";
  else if (/permission denied/i.test(stderr)) hint = `The role cannot read ${table ? `table ${table}` : "everything it must dump"}: GRANT SELECT on it (or use a role that is a member of pg_read_all_data).`;
  else if (/could not connect|Connection refused|could not translate host name|timeout expired/i.test(stderr)) hint = "Check host and port, and that the server accepts connections from here (listen_addresses, pg_hba.conf, firewall).";
  else if (/server closed the connection|connection to server was lost|terminating connection/i.test(stderr)) hint = "The server ended the connection during the dump (restart, pg_terminate_backend, network). Nothing was committed; run the backup again.";
  else if (/unsupported version .* in file header/i.test(stderr)) hint = "This pg_restore is older than the pg_dump that made the backup (the manifest's engine.client says which): install newer client tools, or set bin_dir.";
  else if (/server version mismatch|aborting because of server version mismatch/i.test(stderr)) hint = "Install client tools at least as new as the server, or set bin_dir.";
  return { message: `${tool} failed (${status})${table && /Dumping the contents of table/i.test(stderr) ? ` while dumping table ${table}` : ""}: ${said}`, hint };
}
function toolError(tool, stderr, status, through) {
  const { message, hint } = explainToolError(tool, stderr, status);
  const prefixFailed = through !== void 0 && !new RegExp(`\\b${tool}\\b|ERROR|FATAL`).test(stderr);
  if (prefixFailed) return new RunError(`${tool} through \`${through}\` failed (${status}): ${stderr.trim().split("\n").slice(0, 3).join(" | ") || "no message"}`, { hint: execHint(through) });
  return new RunError(message, hint ? { hint } : {});
}
function execHint(through) {
  return `Check that \`${through}\` works here: the container (or host) is up and named so (docker ps), the user exists, and pg_dump, pg_restore and psql are on the PATH there. docker and podman exec need -i for pg_restore and psql.`;
}
function startTool(command, args, env, input = "ignore", output = "pipe") {
  const [head, ...prefixed] = command;
  const [file, argv2] = tiedToParent(head, [...prefixed, ...args]);
  const child = spawn2(file, argv2, { env, stdio: [input, output, "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 32e3) stderr += chunk.toString("utf8");
  });
  const tool = command.at(-1).split("/").pop();
  const through = command.length > 1 ? command.slice(0, -1).join(" ") : void 0;
  const done = new Promise((resolve6, reject) => {
    child.once(
      "error",
      (error) => reject(
        new RunError(`Cannot run ${command.join(" ")}: ${reason(error)}`, {
          hint: through ? `Install ${head} or fix the source's exec prefix (${through}).` : "Install the PostgreSQL client tools, or set bin_dir."
        })
      )
    );
    child.once("close", (code, signal) => code === 0 ? resolve6() : reject(toolError(tool, stderr, signal ?? `exit ${code}`, through)));
  });
  done.catch(() => void 0);
  const stop = () => {
    if (child.pid === void 0 || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  };
  child.stdin?.on("error", () => void 0);
  return { stdout: child.stdout ?? Readable5.from([]), stdin: child.stdin, done, stop };
}
async function runTool(command, args, env, signal, files2 = {}) {
  const input = files2.stdin === void 0 ? void 0 : openSync2(files2.stdin, "r");
  const output = files2.stdout === void 0 ? void 0 : openSync2(files2.stdout, "wx", 384);
  let tool;
  try {
    tool = startTool(command, args, env, input ?? "ignore", output ?? "pipe");
  } finally {
    if (input !== void 0) closeSync2(input);
    if (output !== void 0) closeSync2(output);
  }
  const onAbort = () => tool.stop();
  signal?.addEventListener("abort", onAbort, { once: true });
  const chunks = [];
  tool.stdout.on("data", (c) => chunks.push(c));
  try {
    await tool.done;
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
function toolOutput(tool) {
  async function* output() {
    for await (const chunk of tool.stdout) yield chunk;
    await tool.done;
  }
  const readable = Readable5.from(output(), { objectMode: false });
  readable.on("close", () => tool.stop());
  return readable;
}

// src/sources/pg-layout.ts
var postgresConfig = external_exports.strictObject({
  ...sourceBase,
  type: external_exports.literal("postgres"),
  ...connectionFields,
  /** Which databases: the connection's one (default), a list, or every database that accepts connections. */
  databases: external_exports.union([external_exports.literal("all"), external_exports.array(external_exports.string().min(1)).min(1)]).optional(),
  format: external_exports.enum(["custom", "directory"]).default("custom"),
  /** Parallel pg_dump/pg_restore workers; directory format only. */
  jobs: external_exports.number().int().min(1).max(64).default(1),
  /** Roles and tablespaces too (pg_dumpall --globals-only). */
  globals: external_exports.boolean().default(false),
  schema_version: external_exports.strictObject({ sql: external_exports.string().min(1) }).optional(),
  /** A folder holding pg_dump, pg_restore and pg_dumpall to use instead of the ones found. */
  bin_dir: external_exports.string().min(1).optional(),
  /** How long pg_dump waits for a table lock (held by a migration, say) before it fails, e.g. `30s`. Default: forever. */
  lock_wait_timeout: clockDuration.optional(),
  /** Where restorable connects to create, rename and drop databases. */
  maintenance_database: external_exports.string().min(1).default("postgres")
}).refine((c) => c.jobs === 1 || c.format === "directory", { error: "jobs > 1 needs format: directory (a custom-format dump is written by one process)", path: ["jobs"] }).refine((c) => c.exec === void 0 || c.format === "custom", { error: "exec needs format: custom (a directory-format dump is a folder where the tools run, which restorable cannot stream)", path: ["format"] }).refine((c) => containerExecFlags(c.exec).interactive, { error: "docker and podman exec need -i here: pg_restore and psql read their standard input", path: ["exec"] }).refine((c) => !containerExecFlags(c.exec).tty, { error: "no -t in exec: a terminal between the tools and restorable would rewrite the bytes of the dump", path: ["exec"] });
function containerExecFlags(exec) {
  if (!exec || !/(^|\/)(docker|podman|nerdctl)$/.test(exec[0] ?? "") || exec[1] !== "exec") return { interactive: true, tty: false };
  const flags = exec.slice(2).filter((a) => /^-[a-zA-Z]+$/.test(a)).join("");
  const long = exec.slice(2);
  return { interactive: flags.includes("i") || long.includes("--interactive"), tty: flags.includes("t") || long.includes("--tty") };
}
function isTarLayout(config) {
  const several = config.databases === "all" || (config.databases?.length ?? 1) > 1;
  return several || config.globals || config.format === "directory";
}
function primaryOf(conn, databases) {
  return databases.includes(conn.database) ? conn.database : databases[0];
}
async function resolveLayout(config, conn, codec) {
  const maintenance = config.databases === "all" || config.globals ? config.maintenance_database : conn.database;
  const { databases, superuser, server } = await withClient(conn, conn.database, async (client) => {
    const me2 = (await client.query("select rolsuper, current_setting('server_version') as v, current_setting('server_version_num')::int as n from pg_roles where rolname = current_user")).rows[0];
    const facts = { superuser: Boolean(me2?.rolsuper), server: { version: String(me2?.v), major: Math.floor(Number(me2?.n) / 1e4) } };
    if (config.databases !== "all") return { databases: config.databases ?? [conn.database], ...facts };
    const rows = (await client.query("select datname from pg_database where datallowconn and not datistemplate order by datname")).rows;
    return { databases: rows.map((r) => String(r.datname)), ...facts };
  }).catch((error) => {
    throw explainClientError(error, conn, conn.database);
  });
  return {
    conn,
    format: config.format,
    databases,
    primary: primaryOf(conn, databases),
    maintenance,
    tar: isTarLayout(config),
    ownCompression: codec === "none",
    superuser,
    server
  };
}
function explainClientError(error, conn, database) {
  if (error instanceof RunError) return error;
  if (error instanceof ExecPrefixError) return new RunError(error.message, { hint: execHint(error.prefix), cause: error });
  const code = error.code;
  const where = describeConnection(conn, database);
  const hints = {
    "28P01": "The password was refused: check PGPASSWORD (or the ${VAR} in url) and the user.",
    "28000": "The server refused this role or host: check pg_hba.conf and the user name.",
    "3D000": "The database does not exist: check the database name (url path or `database`).",
    "42501": 'Permission denied: the role needs more privileges (see the README, "Required privileges").',
    "53100": "The database server's disk is full: free space on the server and run again.",
    ECONNREFUSED: "Nothing listens there: check host and port, and that PostgreSQL runs and listens on that address.",
    ENOTFOUND: "The host name does not resolve: check host.",
    EAI_AGAIN: "The host name does not resolve: check host and DNS.",
    ETIMEDOUT: "The connection timed out: check host, port and firewalls.",
    EHOSTUNREACH: "The host is unreachable: check host and the network."
  };
  const timeout = /timeout/i.test(reason(error)) ? hints.ETIMEDOUT : void 0;
  return new RunError(`PostgreSQL ${where}: ${reason(error)}`, { hint: (code && hints[code]) ?? timeout ?? "Check the connection settings of this source.", cause: error });
}

// src/sources/pg-dump.ts
var dumpIndex = external_exports.object({
  format: external_exports.enum(["custom", "directory"]),
  globals: external_exports.boolean(),
  databases: external_exports.array(external_exports.object({ name: external_exports.string().min(1).max(63), entry: external_exports.string().regex(/^db-[0-9]+(\.pgdump)?$/) })).min(1)
});
var USER_TABLES = "select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'";
async function holdSnapshot(conn, database, schemaSql) {
  const client = await connect(conn, database).catch((error) => {
    throw explainClientError(error, conn, database);
  });
  try {
    await client.query("begin isolation level repeatable read read only");
    const snapshot = String((await client.query("select pg_export_snapshot() as s")).rows[0].s);
    const tables = Number((await client.query(USER_TABLES)).rows[0].n);
    let schemaVersion = null;
    if (schemaSql) {
      const result = await client.query({ text: schemaSql, rowMode: "array" }).catch((error) => {
        throw new RunError(`PostgreSQL database "${database}": the schema_version query failed: ${reason(error)}`, { hint: "Fix schema_version.sql in the plan (it runs in the dump's snapshot, on the primary database)." });
      });
      const value = result.rows[0]?.[0];
      schemaVersion = value === void 0 || value === null ? null : String(value);
    }
    return { client, snapshot, tables, schemaVersion };
  } catch (error) {
    await client.end().catch(() => void 0);
    if (error instanceof RunError) throw error;
    throw new RunError(`PostgreSQL database "${database}": could not open the snapshot for the dump: ${reason(error)}`, { cause: error });
  }
}
async function release(held) {
  for (const h of held) await h.client.end().catch(() => void 0);
}
function dumpArgs(config, layout, held, database) {
  const compress = layout.ownCompression ? [] : ["--compress=0"];
  const wait = config.lock_wait_timeout === void 0 ? [] : [`--lock-wait-timeout=${config.lock_wait_timeout}`];
  return [`--format=${layout.format}`, ...compress, "--no-password", ...wait, `--snapshot=${held.snapshot}`, `--dbname=${conninfo(layout.conn, database)}`];
}
function describeDump(config, run) {
  const pgDump = run ? `pg_dump ${run.tools.version}` : "pg_dump";
  const jobs = config.format === "directory" ? `, ${config.jobs} job(s)` : "";
  const compression2 = !run ? "-Z0 when the plan compresses (else pg_dump's own zlib)" : run.layout.ownCompression ? "pg_dump's own zlib compression" : "uncompressed (-Z0; the plan codec compresses)";
  return `${pgDump}, ${config.format} format${jobs}, ${compression2}, one exported snapshot per database${config.globals ? ", globals by pg_dumpall --globals-only" : ""}`;
}
async function snapshotPostgres(config, layout, tools, engine, stagingDir, signal) {
  const env = childEnv(layout.conn);
  const method = describeDump(config, { layout, tools });
  const schemaSql = config.schema_version?.sql;
  if (!layout.tar) {
    const database = layout.databases[0];
    const held = await holdSnapshot(layout.conn, database, schemaSql);
    let begin;
    const started = new Promise((resolve6) => begin = resolve6);
    const start = (output) => {
      const dump = startTool(tools.command("pg_dump"), dumpArgs(config, layout, held, database), env, "ignore", output);
      begin(dump);
      return dump;
    };
    const unused = setTimeout(() => void release([held]), 6e4);
    unused.unref();
    const info2 = started.then((dump) => dump.done).then(() => ({ engine, method, schemaVersion: held.schemaVersion, counts: { databases: 1, tables: held.tables } })).finally(() => release([held]));
    info2.catch(() => void 0);
    void started.then(() => clearTimeout(unused));
    return { stream: () => toolOutput(start("pipe")), feed: (stdin) => void start(stdin), info: info2 };
  }
  try {
    return await stageDump(config, layout, tools, engine, stagingDir, signal, { env, method, schemaSql });
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    throw new RunError(`PostgreSQL source "${config.name}": staging the dump failed: ${reason(error)}`, { hint: stagingFullHint(stagingDir), cause: error });
  }
}
async function stageDump(config, layout, tools, engine, stagingDir, signal, { env, method, schemaSql }) {
  const root = join9(stagingDir, "dump");
  await mkdir5(root);
  const remote = layout.conn.exec.length > 0;
  const into = (file) => remote ? [] : ["--file", file];
  const streamed = (file) => remote ? { stdout: file } : {};
  const index = { format: layout.format, globals: config.globals, databases: [] };
  const entries = ["index.json"];
  let tables = 0;
  let schemaVersion = null;
  if (config.globals) {
    const noPasswords = layout.superuser ? [] : ["--no-role-passwords"];
    await runTool(tools.command("pg_dumpall"), ["--globals-only", "--no-password", ...noPasswords, ...into(join9(root, "globals.sql")), `--dbname=${conninfo(layout.conn, layout.maintenance)}`], env, signal, streamed(join9(root, "globals.sql")));
    entries.push("globals.sql");
  }
  for (const [i, database] of layout.databases.entries()) {
    signal.throwIfAborted();
    const entry = layout.format === "custom" ? `db-${i}.pgdump` : `db-${i}`;
    const held = await holdSnapshot(layout.conn, database, database === layout.primary ? schemaSql : void 0);
    try {
      const jobs = layout.format === "directory" ? [`--jobs=${config.jobs}`] : [];
      await runTool(tools.command("pg_dump"), [...dumpArgs(config, layout, held, database), ...jobs, ...into(join9(root, entry))], env, signal, streamed(join9(root, entry)));
    } finally {
      await release([held]);
    }
    tables += held.tables;
    if (database === layout.primary) schemaVersion = held.schemaVersion;
    index.databases.push({ name: database, entry });
    entries.push(entry);
  }
  await writeFile2(join9(root, "index.json"), `${JSON.stringify(index, null, 2)}
`);
  const info2 = Promise.resolve({ engine, method, schemaVersion, counts: { databases: layout.databases.length, tables } });
  return { stream: () => Qn({ cwd: root, portable: true, noMtime: false }, entries), info: info2 };
}

// src/sources/pg-restore.ts
import { createHash as createHash3 } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join as join10 } from "node:path";
import { Readable as Readable6 } from "node:stream";
import { pipeline as pipeline7 } from "node:stream/promises";

// src/sources/pg-globals.ts
var import_utils = __toESM(require_utils(), 1);
var FLAGS = new Set(["SUPERUSER", "INHERIT", "CREATEROLE", "CREATEDB", "LOGIN", "REPLICATION", "BYPASSRLS"].flatMap((f2) => [f2, `NO${f2}`]));
var LOADS_CODE = /(^|_)preload_libraries$|^dynamic_library_path$/i;
var SESSION_SETTINGS = /* @__PURE__ */ new Set(["default_transaction_read_only", "client_encoding", "standard_conforming_strings"]);
var Refusal = class extends Error {
  constructor(message, line, tokens) {
    super(message);
    this.line = line;
    this.tokens = tokens;
  }
};
function statements(text) {
  const out = [];
  let current = [];
  let line = 1;
  let lineEnded = true;
  let i = 0;
  const push = (kind, value) => {
    if (!lineEnded && current.length === 0) throw new Refusal("a second statement on one line", line, out.at(-1));
    current.push({ kind, text: value, line });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      line++;
      lineEnded = true;
      i++;
    } else if (c === " " || c === "	" || c === "\r") {
      i++;
    } else if (text.startsWith("--", i)) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === "\\") {
      const end = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
      const command = text.slice(i, end).trimEnd();
      const atLineStart = /(^|\n)[ \t]*$/.test(text.slice(0, i));
      if (!atLineStart || current.length > 0 || !/^\\(un)?restrict [A-Za-z0-9]+$/.test(command)) throw new Refusal("a psql meta-command other than \\restrict", line);
      i = end;
    } else if (c === "'") {
      let value = "";
      let j2 = i + 1;
      for (; ; ) {
        const quote2 = text.indexOf("'", j2);
        if (quote2 === -1) throw new Refusal("an unterminated string", line);
        value += text.slice(j2, quote2);
        if (text[quote2 + 1] === "'") {
          value += "'";
          j2 = quote2 + 2;
        } else {
          j2 = quote2 + 1;
          break;
        }
      }
      push("string", value);
      line += (text.slice(i, j2).match(/\n/g) ?? []).length;
      i = j2;
    } else if (c === '"') {
      let value = "";
      let j2 = i + 1;
      for (; ; ) {
        const quote2 = text.indexOf('"', j2);
        if (quote2 === -1) throw new Refusal("an unterminated quoted name", line);
        value += text.slice(j2, quote2);
        if (text[quote2 + 1] === '"') {
          value += '"';
          j2 = quote2 + 2;
        } else {
          j2 = quote2 + 1;
          break;
        }
      }
      if (value === "" || value.includes("\0")) throw new Refusal("an empty quoted name", line);
      push("ident", value);
      line += (text.slice(i, j2).match(/\n/g) ?? []).length;
      i = j2;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 200))[0];
      if (text[i + word.length] === "'" || text[i + word.length] === '"' || text[i + word.length] === "&") throw new Refusal("a prefixed string", line);
      push("word", word);
      i += word.length;
    } else if (/[0-9-]/.test(c)) {
      const number = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i, i + 40))?.[0];
      if (!number) throw new Refusal(`an unexpected character ${JSON.stringify(c)}`, line);
      push("number", number);
      i += number.length;
    } else if (c === ";") {
      if (current.length === 0) throw new Refusal("an empty statement", line);
      out.push(current);
      current = [];
      lineEnded = false;
      i++;
    } else if (c === "," || c === "(" || c === ")" || c === "=") {
      push("punct", c);
      i++;
    } else {
      throw new Refusal(`an unexpected character ${JSON.stringify(c)}`, line);
    }
  }
  if (current.length > 0) throw new Refusal("a statement without its closing semicolon", current[0].line);
  return out;
}
var Reader = class {
  constructor(tokens) {
    this.tokens = tokens;
  }
  at = 0;
  get line() {
    return this.tokens[0].line;
  }
  done() {
    return this.at >= this.tokens.length;
  }
  peek(offset = 0) {
    return this.tokens[this.at + offset];
  }
  isWord(...words) {
    return words.every((w2, k2) => {
      const t = this.peek(k2);
      return t?.kind === "word" && t.text.toUpperCase() === w2;
    });
  }
  acceptPunct(c) {
    const t = this.peek();
    if (t?.kind !== "punct" || t.text !== c) return false;
    this.at++;
    return true;
  }
  /** The next token whatever it is (a SET value). */
  any() {
    return this.tokens[this.at++];
  }
  accept(...words) {
    if (!this.isWord(...words)) return false;
    this.at += words.length;
    return true;
  }
  expect(...words) {
    if (!this.accept(...words)) throw new Refusal(`expected ${words.join(" ")}`, this.line);
  }
  /** A role or setting name: quoted, or bare (folded to lower case as the server does). */
  name() {
    const t = this.tokens[this.at++];
    if (t?.kind === "ident") return t.text;
    if (t?.kind === "word") return t.text.toLowerCase();
    throw new Refusal("expected a name", this.line);
  }
  string() {
    const t = this.tokens[this.at++];
    if (t?.kind !== "string") throw new Refusal("expected a quoted value", this.line);
    return t.text;
  }
  integer() {
    const t = this.tokens[this.at++];
    if (t?.kind !== "number" || !/^-?[0-9]{1,9}$/.test(t.text)) throw new Refusal("expected a whole number", this.line);
    return Number(t.text);
  }
  word() {
    const t = this.tokens[this.at++];
    if (t?.kind !== "word") throw new Refusal("expected a keyword", this.line);
    return t.text.toUpperCase();
  }
  end() {
    if (!this.done()) throw new Refusal("more after the end of the statement", this.line);
  }
  /** Skips to ON <kind> <name> (a privilege list) and returns what it names; only plain words and commas on the way. */
  privilegesOn(kind) {
    const start = this.at;
    while (!this.done() && !this.isWord("ON")) {
      const t = this.tokens[this.at++];
      if (t.kind !== "word" && !(t.kind === "punct" && t.text === ",")) break;
    }
    if (this.accept("ON", kind)) return this.name();
    this.at = start;
    return void 0;
  }
};
function roleIn(globals, name, line) {
  const role = globals.roles.find((r) => r.name === name);
  if (!role) throw new Refusal(`role ${JSON.stringify(name)} is changed before it is created`, line);
  return role;
}
function alterRole(r, globals) {
  const role = roleIn(globals, r.name(), r.line);
  if (r.accept("SET")) {
    const name = r.name();
    r.expect("TO");
    const values = [r.string()];
    while (r.acceptPunct(",")) values.push(r.string());
    r.end();
    if (LOADS_CODE.test(name)) globals.withheldSettings.push(`${role.name}: ${name}`);
    else role.settings.push({ name, values });
    return;
  }
  r.expect("WITH");
  const seen = /* @__PURE__ */ new Set();
  const once = (what) => {
    if (seen.has(what)) throw new Refusal(`${what} given twice`, r.line);
    seen.add(what);
  };
  while (!r.done()) {
    if (r.accept("CONNECTION", "LIMIT")) {
      once("CONNECTION LIMIT");
      role.connectionLimit = r.integer();
    } else if (r.accept("PASSWORD")) {
      once("PASSWORD");
      role.password = r.string();
    } else if (r.accept("VALID", "UNTIL")) {
      once("VALID UNTIL");
      role.validUntil = r.string();
    } else {
      const flag = r.word();
      if (!FLAGS.has(flag)) throw new Refusal("an unknown role attribute", r.line);
      once(flag.replace(/^NO/, ""));
      role.flags.push(flag);
    }
  }
}
function grant(r, globals) {
  const parameter = r.privilegesOn("PARAMETER");
  if (parameter !== void 0) {
    globals.parameterGrants.push(parameter);
    return;
  }
  const space = r.privilegesOn("TABLESPACE");
  if (space !== void 0) {
    globals.tablespaces.push(space);
    return;
  }
  const role = r.name();
  r.expect("TO");
  const member = r.name();
  const options = [];
  if (r.accept("WITH")) {
    do {
      if (r.accept("ADMIN", "OPTION")) options.push("ADMIN OPTION");
      else {
        const option = r.word();
        const value = r.word();
        if (!["ADMIN", "INHERIT", "SET"].includes(option) || !["TRUE", "FALSE"].includes(value)) throw new Refusal("an unknown membership option", r.line);
        options.push(`${option} ${value}`);
      }
    } while (r.acceptPunct(","));
  }
  let grantor;
  if (r.accept("GRANTED", "BY")) grantor = r.name();
  r.end();
  globals.memberships.push({ role, member, options, grantor });
}
function statement(r, globals) {
  if (r.accept("SET")) {
    const name = r.name();
    if (!SESSION_SETTINGS.has(name)) throw new Refusal("an unknown SET", r.line);
    if (!r.acceptPunct("=")) throw new Refusal("expected =", r.line);
    const value = r.any();
    if (value?.kind !== "word" && value?.kind !== "string") throw new Refusal("expected a value", r.line);
    if (name === "standard_conforming_strings" && value.text.toLowerCase() !== "on") throw new Refusal("standard_conforming_strings off", r.line);
    r.end();
  } else if (r.accept("CREATE", "ROLE")) {
    const name = r.name();
    r.end();
    if (globals.roles.some((x) => x.name === name)) throw new Refusal(`role ${JSON.stringify(name)} created twice`, r.line);
    globals.roles.push({ name, flags: [], connectionLimit: void 0, password: void 0, validUntil: void 0, comment: void 0, settings: [] });
  } else if (r.accept("ALTER", "ROLE")) {
    alterRole(r, globals);
  } else if (r.accept("COMMENT", "ON", "ROLE")) {
    const role = roleIn(globals, r.name(), r.line);
    r.expect("IS");
    role.comment = r.string();
    r.end();
  } else if (r.accept("GRANT") || r.accept("REVOKE")) {
    grant(r, globals);
  } else if (r.accept("CREATE", "TABLESPACE") || r.accept("ALTER", "TABLESPACE") || r.accept("COMMENT", "ON", "TABLESPACE")) {
    globals.tablespaces.push(r.name());
  } else {
    throw new Refusal("a statement that is not a role, membership or tablespace", r.line);
  }
}
function opening(tokens) {
  if (!tokens) return "";
  const words = tokens.slice(0, 3).map((t) => t.kind === "word" ? t.text : t.kind === "ident" ? `"${t.text.slice(0, 20)}"` : t.kind === "string" ? "'...'" : t.text);
  return ` (${words.join(" ")}${tokens.length > 3 ? " ..." : ""})`;
}
function parseGlobals(text, what = "globals.sql") {
  const globals = { roles: [], memberships: [], tablespaces: [], parameterGrants: [], withheldSettings: [] };
  try {
    for (const tokens of statements(text)) {
      try {
        statement(new Reader(tokens), globals);
      } catch (error) {
        if (error instanceof Refusal) error.tokens ??= tokens;
        throw error;
      }
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const shown2 = opening(error.tokens);
    throw new IntegrityError(`${what} is not a pg_dumpall globals dump: line ${error.line} holds ${error.message}${shown2}. Nothing was restored.`, {
      hint: "A globals dump holds only roles, their settings and memberships, and tablespaces. This file was changed after the backup (or made by something else): restore another backup (--backup ID), and check who can write to the target."
    });
  }
  return globals;
}
var { escapeIdentifier: id, escapeLiteral: literal } = import_utils.default;
function createRoleStatements(role) {
  const options = [...role.flags];
  if (role.connectionLimit !== void 0) options.push(`CONNECTION LIMIT ${role.connectionLimit}`);
  if (role.password !== void 0) options.push(`PASSWORD ${literal(role.password)}`);
  if (role.validUntil !== void 0) options.push(`VALID UNTIL ${literal(role.validUntil)}`);
  const statements2 = [`CREATE ROLE ${id(role.name)}${options.length > 0 ? ` WITH ${options.join(" ")}` : ""}`];
  for (const s4 of role.settings) statements2.push(`ALTER ROLE ${id(role.name)} SET ${id(s4.name)} TO ${s4.values.map(literal).join(", ")}`);
  if (role.comment !== void 0) statements2.push(`COMMENT ON ROLE ${id(role.name)} IS ${literal(role.comment)}`);
  return statements2;
}
function grantStatement(m2) {
  const options = m2.options.length > 0 ? ` WITH ${m2.options.join(", ")}` : "";
  return `GRANT ${id(m2.role)} TO ${id(m2.member)}${options}${m2.grantor !== void 0 ? ` GRANTED BY ${id(m2.grantor)}` : ""}`;
}

// src/sources/pg-restore.ts
var MAX_NAME_BYTES = 63;
function besideName(database, what, tag) {
  const suffix = `_${what}_${tag.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
  if (Buffer.byteLength(database + suffix) <= MAX_NAME_BYTES) return database + suffix;
  const mark = `_${createHash3("sha256").update(database).digest("hex").slice(0, 6)}`;
  const chars = Array.from(database);
  while (Buffer.byteLength(chars.join("") + mark + suffix) > MAX_NAME_BYTES) chars.pop();
  return chars.join("") + mark + suffix;
}
async function sniff(stream) {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* rest() {
    if (!first.done) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { raw: head.subarray(0, 5).toString("latin1") === "PGDMP", stream: Readable6.from(rest(), { objectMode: false }) };
}
async function databaseExists(client, name) {
  return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
}
var LIVE_SETTINGS = `select pg_get_userbyid(datdba) as owner, pg_encoding_to_char(encoding) as enc, datcollate, datctype,
  to_jsonb(d) ->> 'datlocprovider' as provider, coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') as locale
  from pg_database d where datname = $1`;
var literal2 = (value) => `'${String(value).replace(/'/g, "''")}'`;
async function createBeside(client, db) {
  if (await databaseExists(client, db.staged)) throw new RunError(`Database "${db.staged}" already exists: a previous restore left it behind.`, { hint: `Drop it (DROP DATABASE ${quoteIdent(db.staged)}) and run again.` });
  const live = (await client.query(LIVE_SETTINGS, [db.live])).rows[0];
  let options = "";
  if (live) {
    options = ` owner ${quoteIdent(String(live.owner))} encoding ${literal2(live.enc)} lc_collate ${literal2(live.datcollate)} lc_ctype ${literal2(live.datctype)}`;
    if (live.provider === "i") options += ` locale_provider icu icu_locale ${literal2(live.locale)}`;
    if (live.provider === "b") options += ` locale_provider builtin builtin_locale ${literal2(live.locale)}`;
  }
  await client.query(`create database ${quoteIdent(db.staged)} template template0${options}`);
}
async function dropDatabase(client, name) {
  await client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [name]);
  await client.query(`drop database if exists ${quoteIdent(name)}`);
}
async function createMissingRoles(client, globals, conn, reporter) {
  const existing = new Set((await client.query("select rolname from pg_roles")).rows.map((r) => String(r.rolname)));
  const missing = globals.roles.filter((r) => !existing.has(r.name));
  const created = [];
  let current = "";
  try {
    for (const role of missing) {
      current = role.name;
      const [create, ...rest] = createRoleStatements(role);
      await client.query(create);
      created.push(role.name);
      for (const statement2 of rest) await client.query(statement2);
    }
  } catch (error) {
    for (const name of created.reverse()) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`).catch(() => void 0);
    const denied = error.code === "42501";
    throw new RunError(`Creating the missing role "${current}" from the backup's globals failed on ${describeConnection(conn)}: ${reason(error)}.`, {
      hint: denied ? "Creating roles needs CREATEROLE (and a superuser for SUPERUSER, REPLICATION or BYPASSRLS roles): use such a role, or create the backup's roles by hand first." : "Nothing was restored; create the role by hand and run again.",
      cause: error
    });
  }
  const names = new Set(created);
  for (const m2 of globals.memberships.filter((m3) => names.has(m3.member))) {
    await client.query(grantStatement(m2)).catch((e) => reporter.warn(`Role membership not restored (${m2.role} to ${m2.member}): ${reason(e)}`));
  }
  if (globals.tablespaces.length > 0) reporter.warn(`Tablespaces are not created by a restore (their folders are per server): ${[...new Set(globals.tablespaces)].join(", ")}. Create any that are missing by hand; see globals.sql in the artifact.`);
  if (globals.parameterGrants.length > 0) reporter.warn(`Privileges on configuration parameters are not restored: ${[...new Set(globals.parameterGrants)].join(", ")}. Grant them by hand if the app needs them; see globals.sql in the artifact.`);
  if (globals.withheldSettings.length > 0) reporter.warn(`Role settings that load libraries are not restored: ${globals.withheldSettings.join(", ")}. Set them by hand if you trust them.`);
  if (created.length > 0) reporter.info(`Created missing roles from globals: ${created.join(", ")}`);
  return created;
}
function restoreArgs(conn, database, jobs) {
  return ["--exit-on-error", "--no-password", ...jobs > 1 ? [`--jobs=${jobs}`] : [], `--dbname=${conninfo(conn, database)}`];
}
async function readIndex(scratch) {
  const text = await readFile(join10(scratch, "index.json"), "utf8").catch(() => "");
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = void 0;
  }
  const index = dumpIndex.safeParse(parsed);
  if (!index.success) throw new IntegrityError("The PostgreSQL artifact has no valid index.json.", { hint: "It was not made by restorable (or was changed since); nothing was restored." });
  return index.data;
}
async function materializeSet(args) {
  const { set, tools } = args;
  const env = childEnv(set.conn);
  const sniffed = await sniff(args.stream);
  const withAdmin = (work) => withClient(set.conn, set.maintenance, work);
  try {
    if (sniffed.raw) {
      const db = { live: args.primary, staged: besideName(args.primary, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const restore = startTool(tools.command("pg_restore"), restoreArgs(set.conn, db.staged, 1), env, "pipe");
      const stop = () => restore.stop();
      args.signal.addEventListener("abort", stop, { once: true });
      try {
        const [fed, restored] = await Promise.allSettled([pipeline7(sniffed.stream, restore.stdin), restore.done]);
        if (fed.status === "rejected" && fed.reason instanceof IntegrityError) throw fed.reason;
        if (restored.status === "rejected") throw restored.reason;
        if (fed.status === "rejected") throw fed.reason;
      } finally {
        args.signal.removeEventListener("abort", stop);
        restore.stop();
      }
      return;
    }
    await extractSafely(sniffed.stream, args.scratch, { source: "postgres", reporter: args.reporter });
    const index = await readIndex(args.scratch);
    const covered = args.covered;
    const foreign = index.databases.length > 1 && covered !== "all" ? index.databases.map((d) => d.name).filter((name) => !covered.includes(name)) : [];
    if (foreign.length > 0) {
      throw new RefusedError(`The backup holds databases the plan does not cover here: ${foreign.join(", ")}. Nothing was restored.`, {
        hint: `The plan restores ${covered === "all" ? "every database" : covered.join(", ")}; restore with a plan whose databases: lists them (or all).`
      });
    }
    if (index.globals) {
      const text = await readFile(join10(args.scratch, "globals.sql"), "utf8").catch(() => {
        throw new IntegrityError("The PostgreSQL artifact lists globals but holds no globals.sql.", { hint: "It was not made by restorable (or was changed since); nothing was restored." });
      });
      const globals = parseGlobals(text, "The backup's globals.sql");
      set.createdRoles = await withAdmin((c) => createMissingRoles(c, globals, set.conn, args.reporter));
    }
    for (const { name, entry } of index.databases) {
      args.signal.throwIfAborted();
      const live = index.databases.length === 1 ? args.primary : name;
      const db = { live, staged: besideName(live, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const jobs = index.format === "directory" ? args.jobs : 1;
      const dump = join10(args.scratch, entry);
      const remote = set.conn.exec.length > 0;
      await runTool(tools.command("pg_restore"), [...restoreArgs(set.conn, db.staged, jobs), ...remote ? [] : [dump]], env, args.signal, remote ? { stdin: dump } : {});
    }
  } catch (error) {
    args.stream.destroy();
    await discardSet(set).catch(() => void 0);
    throw fromServer(error) ? explainClientError(error, set.conn, set.maintenance) : error;
  }
}
function fromServer(error) {
  if (error instanceof RestorableError || !(error instanceof Error)) return false;
  const code = error.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && "severity" in error) return true;
  return ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"].includes(String(code)) || /^Connection terminated/.test(error.message);
}
async function discardSet(set) {
  if (set.dbs.length === 0 && set.createdRoles.length === 0) return;
  await withClient(set.conn, set.maintenance, async (client) => {
    for (const db of set.dbs) await dropDatabase(client, db.staged);
    for (const role of set.createdRoles) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => void 0);
  });
  set.dbs = [];
}

// src/sources/pg-swap.ts
var pgStep = external_exports.object({
  op: external_exports.enum(["deny", "terminate", "rename", "allow"]),
  /** The database the statement is about; `to` is the new name of a rename. */
  db: external_exports.string(),
  to: external_exports.string().optional(),
  /** The names of the database this step swaps, for the undo: live, built, restore point (null: none was live). */
  live: external_exports.string(),
  staged: external_exports.string(),
  point: external_exports.string().nullable(),
  failed: external_exports.string(),
  /** The database to connect to: never one that is renamed. */
  admin: external_exports.string()
});
async function exists2(client, name) {
  return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
}
var allow = (client, db, yes) => client.query(`alter database ${quoteIdent(db)} allow_connections ${yes}`);
var terminate = (client, db) => client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [db]);
async function rename3(client, from, to2) {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`alter database ${quoteIdent(from)} rename to ${quoteIdent(to2)}`);
      return;
    } catch (error) {
      if (error.code !== "55006" || attempt >= 10) throw error;
      await terminate(client, from);
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
async function moveDatabase(client, from, to2) {
  await allow(client, from, false);
  await terminate(client, from);
  await rename3(client, from, to2);
  await allow(client, to2, true);
}
function adminDatabase(set) {
  return set.dbs.some((d) => d.live === set.maintenance) ? "template1" : set.maintenance;
}
async function planPgSwap(set) {
  const admin = adminDatabase(set);
  const steps = [];
  const points = [];
  await withClient(set.conn, admin, async (client) => {
    for (const db of set.dbs) {
      const point = await exists2(client, db.live) ? besideName(db.live, "before", set.tag) : null;
      const names = { live: db.live, staged: db.staged, point, failed: besideName(db.live, "failed", set.tag), admin };
      if (point) {
        points.push(point);
        steps.push({ op: "deny", db: db.live, ...names }, { op: "terminate", db: db.live, ...names }, { op: "rename", db: db.live, to: point, ...names }, { op: "allow", db: point, ...names });
      }
      steps.push({ op: "deny", db: db.staged, ...names }, { op: "terminate", db: db.staged, ...names }, { op: "rename", db: db.staged, to: db.live, ...names }, { op: "allow", db: db.live, ...names });
    }
  });
  return { point: points.length > 0 ? points.join(", ") : null, steps };
}
async function runPgStep(conn, step) {
  await withClient(conn, step.admin, async (client) => {
    if (step.op === "deny") await allow(client, step.db, false);
    else if (step.op === "allow") await allow(client, step.db, true);
    else if (step.op === "terminate") await terminate(client, step.db);
    else {
      await terminate(client, step.db);
      await rename3(client, step.db, step.to);
    }
  }).catch((error) => {
    throw new RunError(`Swapping in the restored database failed on ${describeConnection(conn, step.admin)} (${step.op} ${step.db}): ${reason(error)}`, {
      hint: "Check that restorable's role owns the databases or is a superuser (ALTER DATABASE ... RENAME needs that).",
      cause: error
    });
  });
}
async function dropBuilt(conn, admin, primary) {
  const suffix = /_new_\d{8}t\d{6}z_[0-9a-f]+$/.exec(primary)?.[0];
  if (!suffix) return;
  await withClient(conn, admin, async (client) => {
    const names = (await client.query("select datname from pg_database where right(datname, $1) = $2", [suffix.length, suffix])).rows.map((r) => String(r.datname));
    for (const name of names) await dropDatabase(client, name);
  });
}
async function undoPgSteps(conn, steps) {
  const dbs = [...new Map(steps.map((s4) => [s4.live, s4])).values()].reverse();
  if (dbs.length === 0) return;
  const stuck = [];
  await withClient(conn, dbs[0].admin, async (client) => {
    for (const db of dbs) {
      try {
        const [live, staged2] = [await exists2(client, db.live), await exists2(client, db.staged)];
        if (db.point && await exists2(client, db.point)) {
          if (live && staged2) throw new RunError(`"${db.live}" exists beside "${db.point}" and "${db.staged}": it is not this restore's, so it is left alone`);
          if (live) {
            await moveDatabase(client, db.live, db.failed);
            await dropDatabase(client, db.failed);
          }
          await moveDatabase(client, db.point, db.live);
        } else if (!db.point && live && !staged2) {
          await dropDatabase(client, db.live);
        } else if (live) await allow(client, db.live, true);
        if (await exists2(client, db.staged)) await dropDatabase(client, db.staged);
        if (await exists2(client, db.failed)) await dropDatabase(client, db.failed);
      } catch (error) {
        stuck.push(`"${db.point ?? db.live}" (was "${db.live}"): ${reason(error)}`);
      }
    }
  });
  if (stuck.length > 0) {
    throw new RunError(`Renaming the previous databases back failed on ${describeConnection(conn)}: ${stuck.join("; ")}.`, {
      hint: 'The previous data is whole under the name shown: rename it back by hand (ALTER DATABASE "<that name>" RENAME TO "<live name>") once nothing is connected.'
    });
  }
}

// src/sources/postgres.ts
function locationOf(conn, database) {
  const path = `/${encodeURIComponent(database)}`;
  if (!conn.host || conn.host.startsWith("/")) {
    const query = new URLSearchParams({ ...conn.host ? { host: conn.host } : {}, ...conn.port ? { port: String(conn.port) } : {}, ...conn.user ? { user: conn.user } : {} });
    return `postgres://${path}${query.size > 0 ? `?${query.toString()}` : ""}`;
  }
  const user = conn.user ? `${encodeURIComponent(conn.user)}@` : "";
  const host = conn.host ? conn.host.includes(":") ? `[${conn.host}]` : conn.host : "";
  const port = conn.port ? `:${conn.port}` : "";
  return `postgres://${user}${host}${port}${path}`;
}
function databaseAt(location) {
  return decodeURIComponent(new URL(location).pathname.slice(1));
}
function primaryDatabase(config, conn) {
  return Array.isArray(config.databases) ? primaryOf(conn, config.databases) : conn.database;
}
var staged = /* @__PURE__ */ new Map();
async function serverVersion(conn, database) {
  return withClient(conn, database, async (client) => {
    const rows = (await client.query("select current_setting('server_version') as v, current_setting('server_version_num')::int as n")).rows[0];
    return { version: String(rows.v), major: Math.floor(Number(rows.n) / 1e4) };
  }).catch((error) => {
    throw explainClientError(error, conn, database);
  });
}
async function toolsFor(config, conn, database) {
  const server = await serverVersion(conn, database);
  return { server, tools: await findTools(server.major, config.bin_dir, conn.exec) };
}
var UNREADABLE = `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'S') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
    and (not has_schema_privilege(n.oid, 'USAGE') or not has_table_privilege(c.oid, 'SELECT')) order by 1`;
async function checkReadable(config, layout) {
  let bytes = 0;
  for (const database of layout.databases) {
    await withClient(layout.conn, database, async (client) => {
      const denied = (await client.query(UNREADABLE)).rows.map((r) => String(r.t));
      if (denied.length > 0) {
        throw new RunError(`PostgreSQL source "${config.name}": role ${layout.conn.user ?? "(default)"} cannot read ${denied.length} table(s) in database "${database}": ${denied.slice(0, 8).join(", ")}${denied.length > 8 ? ", ..." : ""}.`, {
          hint: "GRANT SELECT on them (and USAGE on their schemas) to this role, or use a role that is a member of pg_read_all_data (PostgreSQL 14+)."
        });
      }
      bytes += Number((await client.query("select pg_database_size(current_database())::bigint as b")).rows[0].b);
    }).catch((error) => {
      throw explainClientError(error, layout.conn, database);
    });
  }
  return bytes;
}
async function checkStagingSpace(config, need, stagingDir) {
  const fs2 = await statfs(stagingDir);
  const free = fs2.bavail * fs2.bsize;
  const mib = (n) => `${Math.ceil(n / 2 ** 20)} MiB`;
  if (free < need * 1.05) {
    throw new RunError(`Not enough space to stage the dump of PostgreSQL source "${config.name}": its databases take about ${mib(need)}, ${stagingDir} has ${mib(free)} free.`, {
      hint: "Point --staging (or TMPDIR) at a folder with more free space, or use format: custom with one database (streamed, nothing staged)."
    });
  }
}
var MY_RIGHTS = `select rolname, rolsuper, rolcreatedb, pg_has_role(current_user, 'pg_signal_backend', 'USAGE') as signal from pg_roles where rolname = current_user`;
var LIVE_RIGHTS = `select d.datname, pg_get_userbyid(d.datdba) as owner, pg_has_role(current_user, d.datdba, 'MEMBER') as member,
  exists (select 1 from pg_stat_activity a where a.datname = d.datname and a.pid <> pg_backend_pid() and a.usesysid is not null and not pg_has_role(current_user, a.usesysid, 'MEMBER')) as others
  from pg_database d where case when $1::text[] is null then d.datallowconn and not d.datistemplate else d.datname = any($1::text[]) end order by 1`;
async function checkRestoreRights(config, mode, reporter) {
  const conn = parseConnection(config);
  const live = config.databases === "all" ? null : Array.isArray(config.databases) ? config.databases : [conn.database];
  const missing = await withClient(conn, config.maintenance_database, async (client) => {
    const me2 = (await client.query(MY_RIGHTS)).rows[0];
    if (!me2 || me2.rolsuper) return [];
    const role2 = String(me2.rolname);
    const lacks = [];
    const builds = mode === "drill" ? "a scratch database" : "the restored database beside the live one";
    if (!me2.rolcreatedb) lacks.push({ what: `CREATEDB (the ${mode} builds ${builds})`, fix: `ALTER ROLE ${quoteIdent(role2)} CREATEDB` });
    for (const db of (await client.query(LIVE_RIGHTS, [live])).rows) {
      if (!db.member) lacks.push({ what: `membership of role "${db.owner}", which owns database "${db.datname}" (the new database gets that owner${mode === "restore" ? " and the swap renames it" : ""})`, fix: `GRANT ${quoteIdent(String(db.owner))} TO ${quoteIdent(role2)}` });
      if (mode === "restore" && db.others && !me2.signal) {
        reporter.warn(`PostgreSQL source "${config.name}": other roles are connected to "${db.datname}", and role ${role2} cannot end their sessions (it lacks pg_signal_backend): the swap fails unless they are gone by then. Stop the app in a pre_restore hook, or GRANT pg_signal_backend TO ${quoteIdent(role2)}.`);
      }
    }
    return lacks.map((l) => ({ ...l, role: role2 }));
  }).catch((error) => {
    throw explainClientError(error, conn, config.maintenance_database);
  });
  if (missing.length === 0) return;
  const role = missing[0].role;
  throw new RunError(`PostgreSQL source "${config.name}": role ${role} cannot ${mode} on ${describeConnection(conn, config.maintenance_database)}: it lacks ${missing.map((m2) => m2.what).join("; ")}. Nothing was changed.`, {
    hint: `As a superuser: ${missing.map((m2) => m2.fix).join("; ")}. Or ${mode} with a superuser (see the README, "Required privileges").`
  });
}
var probed = /* @__PURE__ */ new WeakMap();
async function resolve4(config, codec) {
  const conn = parseConnection(config);
  const layout = await resolveLayout(config, conn, codec);
  return { layout, server: layout.server, tools: await findTools(layout.server.major, config.bin_dir, conn.exec) };
}
function register(config, tag, what) {
  const conn = parseConnection(config);
  const primary = primaryDatabase(config, conn);
  const location = locationOf(conn, besideName(primary, what, tag));
  staged.set(location, { conn, maintenance: config.maintenance_database, tag, what, dbs: [], createdRoles: [] });
  return location;
}
function setAt(location) {
  const set = staged.get(location);
  if (!set) throw new RunError(`No restore into ${location} was started in this run.`);
  return set;
}
var postgres = {
  type: "postgres",
  kind: "database",
  schema: postgresConfig,
  extension: ".pgdump",
  extensionOf: (config) => isTarLayout(config) ? ".pgdump.tar" : ".pgdump",
  describe(config) {
    const conn = parseConnection(config);
    const which = config.databases === "all" ? "every database on" : Array.isArray(config.databases) ? `databases ${config.databases.join(", ")} on` : "database";
    const through = conn.exec.length > 0 ? ` through \`${conn.exec.join(" ")}\`` : "";
    return `pg_dump of ${which} ${describeConnection(conn, primaryDatabase(config, conn))}${through}: ${describeDump(config)}${isTarLayout(config) ? "; staged, then tarred" : "; streamed"}`;
  },
  liveLocation(config) {
    const conn = parseConnection(config);
    return locationOf(conn, primaryDatabase(config, conn));
  },
  async probe(config, ctx) {
    const resolved = await resolve4(config, ctx.compression);
    const { layout } = resolved;
    const bytes = await checkReadable(config, layout);
    probed.set(config, resolved);
    if (layout.tar) await checkStagingSpace(config, bytes, ctx.stagingDir);
    if (config.globals && !layout.superuser) ctx.reporter.warn(`PostgreSQL source "${config.name}": the role is not a superuser, so globals are dumped without role passwords (--no-role-passwords).`);
  },
  async snapshot(config, ctx) {
    const { layout, tools, server } = probed.get(config) ?? await resolve4(config, ctx.compression);
    probed.delete(config);
    return snapshotPostgres(config, layout, tools, { name: "postgresql", version: server.version, client: `pg_dump ${tools.version}` }, ctx.stagingDir, ctx.signal);
  },
  async currentSchemaVersion(config) {
    if (!config.schema_version) return null;
    const conn = parseConnection(config);
    const sql = config.schema_version.sql;
    return withClient(conn, primaryDatabase(config, conn), async (client) => {
      const value = (await client.query({ text: sql, rowMode: "array" })).rows[0]?.[0];
      return value === void 0 || value === null ? null : String(value);
    }).catch((error) => {
      if (error.code === "3D000") return null;
      throw error;
    });
  },
  checkRestore: (config, ctx, mode) => checkRestoreRights(config, mode, ctx.reporter),
  stagingLocation: (config, _ctx, tag) => register(config, tag, "new"),
  scratchLocation: (config, _ctx, tag) => register(config, tag, "drill"),
  async materialize(config, stream, into, ctx) {
    const set = setAt(into);
    const { tools } = await toolsFor(config, set.conn, set.maintenance);
    await materializeSet({
      stream,
      set,
      tools,
      primary: primaryDatabase(config, set.conn),
      covered: config.databases === "all" ? "all" : Array.isArray(config.databases) ? config.databases : [primaryDatabase(config, set.conn)],
      jobs: config.jobs,
      scratch: join11(ctx.stagingDir, `pg-${config.name}-${set.tag}`),
      reporter: ctx.reporter,
      signal: ctx.signal
    });
  },
  planSwap: (_config, location) => planPgSwap(setAt(location)),
  runStep: (config, step) => runPgStep(parseConnection(config), pgStep.parse(step)),
  undoSteps: (config, steps) => undoPgSteps(parseConnection(config), steps.map((s4) => pgStep.parse(s4))),
  async discard(location, config) {
    const set = staged.get(location);
    if (set) await discardSet(set);
    else await dropBuilt(parseConnection(config), config.maintenance_database, databaseAt(location));
  },
  async inspectBuilt(config, location) {
    const set = setAt(location);
    let tables = 0;
    for (const db of set.dbs) tables += await withClient(set.conn, db.staged, async (c) => Number((await c.query(USER_TABLES)).rows[0].n));
    const counts2 = { databases: set.dbs.length, tables };
    if (!config.schema_version) return { unsound: null, counts: counts2 };
    const sql = config.schema_version.sql;
    const value = await withClient(set.conn, databaseAt(location), async (c) => (await c.query({ text: sql, rowMode: "array" })).rows[0]?.[0]).then(
      (v2) => ({ v: v2 }),
      (error) => ({ error })
    );
    if ("error" in value) return { unsound: `the schema_version query fails on it: ${reason(value.error)}`, counts: counts2 };
    return { unsound: null, schemaVersion: value.v === void 0 || value.v === null ? null : String(value.v), counts: counts2 };
  },
  async query(config, location, sql) {
    const conn = parseConnection(config);
    return withClient(conn, databaseAt(location), async (client) => (await client.query({ text: sql, rowMode: "array" })).rows[0]?.[0]);
  },
  async retarget(config, url) {
    if (config.databases === "all" || Array.isArray(config.databases) && config.databases.length > 1) {
      throw new UsageError(`--to restores one database, and PostgreSQL source "${config.name}" has ${config.databases === "all" ? "every database on its server" : `databases ${config.databases.join(", ")}`}.`, {
        hint: "To restore them all on another server, copy the plan and point the source at that server; to restore one here elsewhere, use a plan whose source has that one database."
      });
    }
    const moved = { ...config, url, databases: void 0, host: void 0, port: void 0, user: void 0, database: void 0, sslmode: void 0, sslrootcert: void 0, sslcert: void 0, sslkey: void 0 };
    const conn = parseConnection(moved);
    const tables = await withClient(conn, conn.database, async (c) => Number((await c.query(USER_TABLES)).rows[0].n)).catch((error) => {
      if (error.code === "3D000") return 0;
      throw explainClientError(error, conn, conn.database);
    });
    if (tables > 0) {
      throw new RefusedError(`--to ${describeConnection(conn, conn.database)} is not empty (${tables} tables): refusing to restore over it.`, {
        hint: "Restore into a new or empty database there, or drop it first. To replace a database keeping a restore point, restore with the plan's own connection (no --to)."
      });
    }
    return moved;
  }
};

// src/sources/sqlite.ts
import { createReadStream as createReadStream3 } from "node:fs";
import { access as access2, chmod, chown, constants as constants2, mkdir as mkdir6, open as open2, rm as rm6, stat as stat5, statfs as statfs2 } from "node:fs/promises";
import { dirname as dirname5, resolve as resolve5 } from "node:path";
import { pipeline as pipeline8 } from "node:stream/promises";

// src/sources/sqlite-driver.ts
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
var CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { engine, module, path, pragma } = workerData;
try {
  const db = engine === 'better-sqlite3'
    ? new (require(module))(path, { readonly: true })
    : new (require('node:sqlite').DatabaseSync)(path, { readOnly: true });
  const rows = db.prepare('pragma ' + pragma + '(20)').all();
  db.close();
  parentPort.postMessage({ lines: rows.map((row) => String(Object.values(row)[0])) });
} catch (error) {
  parentPort.postMessage({ error: String((error && error.message) || error), code: error && (error.code || error.errstr) });
}
`;
var CORRUPT = /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i;
function checkInWorker(workerData) {
  return new Promise((resolve6, reject) => {
    const worker = new Worker(CHECK_WORKER, { eval: true, workerData });
    worker.once("message", (message) => {
      if (message.lines) resolve6(message.lines);
      else if (CORRUPT.test(`${message.code} ${message.error}`)) resolve6([String(message.error)]);
      else reject(new RunError(`SQLite check of ${workerData.path} could not run: ${message.error}`));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new RunError(`The SQLite check worker stopped (exit ${code}).`)));
  });
}
var ALL_PAGES = 2147483647;
function vacuumInto(driver, source, dest) {
  const db = driver.open(source, { readonly: true });
  try {
    db.run("VACUUM INTO ?", dest);
  } finally {
    db.close();
  }
}
function loadBetterSqlite() {
  let Database;
  let module;
  try {
    module = createRequire(import.meta.url).resolve("better-sqlite3");
    Database = createRequire(import.meta.url)(module);
    new Database(":memory:").close();
  } catch {
    return void 0;
  }
  const wrap = (db) => ({
    get: (sql) => db.prepare(sql).get(),
    all: (sql) => db.prepare(sql).all(),
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => void db.close()
  });
  const probe = new Database(":memory:");
  const sqliteVersion = String(probe.prepare("select sqlite_version() as v").get().v);
  probe.close();
  return {
    name: "better-sqlite3",
    sqliteVersion,
    methods: ["backup", "vacuum"],
    open: (path, { readonly }) => wrap(new Database(path, { readonly, fileMustExist: true, timeout: 3e4 })),
    check: (path, pragma) => checkInWorker({ engine: "better-sqlite3", module, path, pragma }),
    async backup(source, dest) {
      const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 3e4 });
      try {
        await db.backup(dest, { progress: () => ALL_PAGES });
      } finally {
        db.close();
      }
    }
  };
}
async function loadNodeSqlite() {
  let mod;
  try {
    mod = await import("node:sqlite");
  } catch {
    return void 0;
  }
  const { DatabaseSync, backup } = mod;
  const open3 = (path, readonly) => new DatabaseSync(path, { readOnly: readonly, timeout: 3e4 });
  const wrap = (db) => ({
    get: (sql) => db.prepare(sql).get(),
    all: (sql) => db.prepare(sql).all(),
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => db.close()
  });
  const probe = new DatabaseSync(":memory:");
  const sqliteVersion = String(probe.prepare("select sqlite_version() as v").get().v);
  probe.close();
  return {
    name: "node:sqlite",
    sqliteVersion,
    methods: backup ? ["backup", "vacuum"] : ["vacuum"],
    open: (path, { readonly }) => wrap(open3(path, readonly)),
    check: (path, pragma) => checkInWorker({ engine: "node:sqlite", path, pragma }),
    async backup(source, dest) {
      if (!backup) throw new RunError("This Node.js has node:sqlite without backup().");
      const db = open3(source, true);
      try {
        await backup(db, dest, { rate: ALL_PAGES });
      } finally {
        db.close();
      }
    }
  };
}
var cached;
function availableDrivers() {
  cached ??= (async () => {
    const drivers = [loadBetterSqlite(), await loadNodeSqlite()];
    return drivers.filter((d) => d !== void 0);
  })();
  return cached;
}
async function chooseDriver(env = process.env) {
  const drivers = await availableDrivers();
  const wantDriver = env.RESTORABLE_SQLITE_DRIVER;
  const wantMethod = env.RESTORABLE_SQLITE_METHOD;
  const driver = wantDriver ? drivers.find((d) => d.name === wantDriver) : drivers[0];
  if (!driver) {
    throw new RunError(
      wantDriver ? `The SQLite driver ${wantDriver} (RESTORABLE_SQLITE_DRIVER) cannot be loaded by Node.js ${process.version}.` : `No SQLite engine is available in Node.js ${process.version}.`,
      { hint: "Install better-sqlite3 next to restorable (npm i better-sqlite3), or run on Node.js 22.16 or later, which has node:sqlite." }
    );
  }
  const method = wantMethod ?? driver.methods[0];
  if (!driver.methods.includes(method)) {
    throw new RunError(`The SQLite driver ${driver.name} cannot snapshot with ${method} here.`, {
      hint: `Use one of: ${driver.methods.join(", ")}.`
    });
  }
  return { driver, method };
}

// src/sources/sqlite.ts
var sqliteConfig = external_exports.strictObject({
  ...sourceBase,
  type: external_exports.literal("sqlite"),
  path: external_exports.string().min(1),
  schema_version: external_exports.union([
    external_exports.strictObject({ pragma: external_exports.enum(["user_version", "schema_version", "application_id"]) }),
    external_exports.strictObject({ sql: external_exports.string().min(1) })
  ]).default({ pragma: "user_version" }),
  /**
   * How the snapshot is checked before it is stored. quick_check (default)
   * reads every page and proves the b-trees sound, which is what taking a copy
   * can break, at the speed of a read; integrity_check adds the agreement of
   * every index with its table (35x the cost on an indexed database), which
   * every drill proves on the restored copy anyway.
   */
  check: external_exports.enum(["integrity", "quick", "none"]).default("quick")
});
var COMPANIONS = ["-wal", "-shm", "-journal"];
var MAGIC = Buffer.from("SQLite format 3\0", "latin1");
function firstValue(row) {
  return row === void 0 ? void 0 : Object.values(row)[0];
}
function readSchemaVersion(db, config) {
  const sql = "pragma" in config.schema_version ? `pragma ${config.schema_version.pragma}` : config.schema_version.sql;
  const value = firstValue(db.get(sql));
  return value === void 0 || value === null ? null : String(value);
}
function quoteIdent2(name) {
  return `"${name.replaceAll('"', '""')}"`;
}
function countRows(db) {
  const tables = db.all("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and sql not like 'CREATE VIRTUAL TABLE%'").map((row) => String(row.name));
  let rows = 0;
  for (const table of tables) {
    try {
      rows += Number(firstValue(db.get(`select count(*) from ${quoteIdent2(table)}`)));
    } catch {
    }
  }
  return { tables: tables.length, rows };
}
async function checkSnapshot(driver, copy, config) {
  if (config.check === "none") return;
  const pragma = config.check === "quick" ? "quick_check" : "integrity_check";
  const problems = await driver.check(copy, pragma);
  if (problems.length !== 1 || problems[0] !== "ok") {
    throw new IntegrityError(`The snapshot of SQLite source "${config.name}" fails ${pragma}: ${problems.slice(0, 5).join("; ")}`, {
      hint: `The live database itself is probably damaged. Check it with: sqlite3 ${config.path} "pragma integrity_check"`
    });
  }
}
async function isSqliteFile(path) {
  const handle = await open2(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    return bytesRead === 16 && buffer.equals(MAGIC);
  } finally {
    await handle.close();
  }
}
var TMPFS_MAGIC = 16914836;
async function checkStagingSpace2(config, live, ctx) {
  const { stagingDir } = ctx;
  const sizeOf = (path) => stat5(path).then((s4) => s4.size, () => 0);
  const need = await sizeOf(live) + await sizeOf(`${live}-wal`);
  const fs2 = await statfs2(stagingDir);
  const free = fs2.bavail * fs2.bsize;
  if (fs2.type === TMPFS_MAGIC && need > 256 * 2 ** 20) {
    ctx.reporter.warn(`The snapshot of "${config.name}" (${Math.ceil(need / 2 ** 20)} MiB) is staged in ${stagingDir}, which is in RAM (tmpfs). Use --staging DIR on a disk to spare the memory.`);
  }
  if (free < need * 1.05) {
    const mib = (n) => `${Math.ceil(n / 2 ** 20)} MiB`;
    throw new RunError(`Not enough space to stage the snapshot of SQLite source "${config.name}": it needs about ${mib(need)}, ${stagingDir} has ${mib(free)} free.`, {
      hint: "Point --staging (or TMPDIR) at a folder with more free space."
    });
  }
}
async function takeOwnership(staged2, live) {
  const model = await stat5(live).catch(() => void 0);
  const owner = model ?? await stat5(dirname5(live));
  await chmod(staged2, model ? model.mode & 4095 : 416);
  await chown(staged2, owner.uid, owner.gid).catch((error) => {
    if (error.code !== "EPERM") throw error;
  });
}
async function refuseIfInUse(name, live) {
  if (!await stat5(live).then(() => true, () => false)) return;
  const { driver } = await chooseDriver();
  let db;
  try {
    db = driver.open(live, { readonly: false });
    db.get("pragma busy_timeout = 0");
    db.get("pragma locking_mode = exclusive");
    db.run("begin exclusive");
    db.run("rollback");
  } catch (error) {
    const text = `${error.code ?? ""} ${reason(error)}`;
    if (/not a database|malformed|SQLITE_NOTADB|SQLITE_CORRUPT/i.test(text)) return;
    const open3 = /database is locked|SQLITE_BUSY|SQLITE_LOCKED/i.test(text);
    throw new RunError(`SQLite source "${name}": ${open3 ? `${live} is still open in another process; restoring now would lose what it writes next` : `could not check that nothing has ${live} open (${reason(error)})`}. Nothing was changed.`, {
      hint: "Stop the app first: a pre_restore hook runs before the swap (e.g. pre_restore: [{command: [docker, compose, stop, app]}]), and post_restore starts it again."
    });
  } finally {
    db?.close();
  }
}
var sqlite = {
  type: "sqlite",
  kind: "database",
  schema: sqliteConfig,
  extension: ".sqlite",
  describe: (config, ctx) => `SQLite online backup of ${resolve5(ctx.planDir, config.path)}, then ${config.check === "none" ? "no check" : `${config.check}_check`}`,
  liveLocation: (config, ctx) => resolve5(ctx.planDir, config.path),
  async probe(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    try {
      await access2(live, constants2.R_OK);
    } catch (error) {
      throw new RunError(`SQLite source "${config.name}": cannot read ${live}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
    await checkStagingSpace2(config, live, ctx);
    if (!await isSqliteFile(live)) {
      throw new RunError(`SQLite source "${config.name}": ${live} is not a SQLite database.`, {
        hint: "Point `path` at the database file itself (not its folder or its -wal file)."
      });
    }
    await chooseDriver();
  },
  async snapshot(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    const copy = resolve5(ctx.stagingDir, `${config.name}.sqlite`);
    const { driver, method } = await chooseDriver();
    try {
      if (method === "backup") await driver.backup(live, copy);
      else vacuumInto(driver, live, copy);
    } catch (error) {
      throw new RunError(`SQLite source "${config.name}": the snapshot of ${live} failed: ${reason(error)}`, { hint: isDiskFull(error) ? stagingFullHint(ctx.stagingDir) : ioHint(error), cause: error });
    }
    const db = driver.open(copy, { readonly: false });
    let info2;
    try {
      db.get("pragma journal_mode = delete");
      info2 = {
        engine: { name: "sqlite", version: driver.sqliteVersion },
        method: `${method === "backup" ? "online backup" : "VACUUM INTO"} (${driver.name})`,
        schemaVersion: readSchemaVersion(db, config),
        counts: countRows(db)
      };
    } finally {
      db.close();
    }
    const checked = checkSnapshot(driver, copy, config).then(() => info2);
    checked.catch(() => void 0);
    return { stream: () => createReadStream3(copy, { highWaterMark: 1 << 20 }), file: copy, info: checked };
  },
  async currentSchemaVersion(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    const exists3 = await access2(live).then(() => true, () => false);
    if (!exists3) return null;
    const { driver } = await chooseDriver();
    const db = driver.open(live, { readonly: true });
    try {
      return readSchemaVersion(db, config);
    } finally {
      db.close();
    }
  },
  async materialize(config, stream, into) {
    await mkdir6(dirname5(into), { recursive: true });
    const handle = await open2(into, "wx", 384);
    try {
      await pipeline8(stream, handle.createWriteStream());
      const synced = await open2(into, "r+");
      await synced.sync().finally(() => synced.close());
      if (!await isSqliteFile(into)) {
        throw new IntegrityError(`The artifact for SQLite source "${config.name}" is not a SQLite database.`, {
          hint: "The backup was made from another kind of source; restore it with a plan whose source has the same type."
        });
      }
    } catch (error) {
      await rm6(into, { force: true });
      throw error;
    }
  },
  stagingLocation: (config, ctx, tag) => besidePath(sqlite.liveLocation(config, ctx), "new", tag),
  async planSwap(config, staged2, ctx, tag) {
    const live = sqlite.liveLocation(config, ctx);
    await refuseIfInUse(config.name, live);
    await takeOwnership(staged2, live);
    for (const suffix of COMPANIONS) await rm6(staged2 + suffix, { force: true });
    return planFileSwap(live, staged2, tag, COMPANIONS);
  },
  runStep: (_config, step) => runPathStep(pathStep.parse(step)),
  undoSteps: (_config, steps) => undoPathSteps(steps.map((s4) => pathStep.parse(s4))),
  ownedPaths: (config, ctx) => {
    const live = sqlite.liveLocation(config, ctx);
    return [live, ...COMPANIONS.map((suffix) => live + suffix)];
  },
  // A build whose header says WAL (a forged one can) gets -wal and -shm beside it when the checks open it.
  discard: async (staged2) => {
    for (const path of [staged2, ...COMPANIONS.map((suffix) => staged2 + suffix)]) await rm6(path, { force: true });
  },
  async inspectBuilt(config, location, _ctx, purpose) {
    const { driver } = await chooseDriver();
    const pragma = purpose === "drill" ? "integrity_check" : "quick_check";
    const lines = await driver.check(location, pragma).catch((error) => [reason(error)]);
    if (lines.length !== 1 || lines[0] !== "ok") return { unsound: `${pragma}: ${lines.slice(0, 5).join("; ")}`, counts: {} };
    let db;
    try {
      db = driver.open(location, { readonly: true });
      const counts2 = countRows(db);
      let schemaVersion;
      try {
        schemaVersion = readSchemaVersion(db, config);
      } catch (error) {
        return { unsound: `the schema_version query fails on it: ${reason(error)}`, counts: counts2 };
      }
      return { unsound: null, schemaVersion, counts: counts2 };
    } catch (error) {
      return { unsound: `it cannot be opened: ${reason(error)}`, counts: {} };
    } finally {
      db?.close();
    }
  },
  async query(_config, location, sql) {
    const { driver } = await chooseDriver();
    const db = driver.open(location, { readonly: true });
    try {
      return firstValue(db.get(sql));
    } finally {
      db.close();
    }
  }
};

// src/sources/index.ts
var sourceConfig = external_exports.discriminatedUnion("type", [sqliteConfig, postgresConfig, filesConfig]);
var adapters2 = { sqlite, postgres, files };
function sourceAdapter(config) {
  return adapters2[config.type];
}

// src/plan/schema.ts
var argv = external_exports.array(external_exports.string().min(1)).min(1, { error: 'expected a command as an argument array, e.g. ["./scripts/check.sh", "--quick"]' });
var appVersionFrom = external_exports.union([
  external_exports.strictObject({ env: external_exports.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
  external_exports.strictObject({ file: external_exports.string().min(1), key: external_exports.string().min(1) }),
  external_exports.strictObject({ command: argv }),
  /** The app's own answer over HTTP: the body, or a key of its JSON (a list of keys is joined by dots: [major, minor, patch]). */
  external_exports.strictObject({
    http: external_exports.strictObject({ url: external_exports.url({ protocol: /^https?$/ }), json: external_exports.union([external_exports.string().min(1), external_exports.array(external_exports.string().min(1)).min(1)]).optional() })
  })
]);
var app = external_exports.strictObject({
  version: external_exports.union([external_exports.string().min(1), external_exports.number().transform(String)]).optional(),
  version_from: appVersionFrom.optional()
}).refine((a) => !(a.version !== void 0 && a.version_from !== void 0), {
  error: "give either app.version or app.version_from, not both"
});
var counts = external_exports.strictObject({
  copies: external_exports.int().min(1).max(20),
  media: external_exports.int().min(1).max(10),
  offsite: external_exports.int().min(0).max(20),
  immutable: external_exports.int().min(0).max(20).default(0)
});
var policy = external_exports.strictObject({
  rule: external_exports.union([external_exports.enum(["3-2-1", "3-2-1-1-0"]), counts]).default("3-2-1")
});
var compression = external_exports.strictObject({
  algorithm: external_exports.enum(["zstd", "gzip", "none"]).default("zstd"),
  level: external_exports.int().min(1).max(19).optional()
}).refine((c) => !(c.algorithm === "gzip" && c.level !== void 0 && c.level > 9), {
  error: "gzip levels go from 1 to 9",
  path: ["level"]
});
var encryption = external_exports.strictObject({
  age_recipients: external_exports.array(external_exports.string().regex(/^age1[0-9a-z]+$/, { error: "expected an age public key (age1...), as printed by age-keygen -y" })).min(1).optional(),
  passphrase: external_exports.string().min(1).optional(),
  scrypt_work_factor: external_exports.int().min(10).max(22).optional()
}).refine((e) => e.age_recipients === void 0 !== (e.passphrase === void 0), {
  error: "give either age_recipients or passphrase, not both"
}).refine((e) => e.scrypt_work_factor === void 0 || e.passphrase !== void 0, {
  error: "scrypt_work_factor applies to passphrase mode only",
  path: ["scrypt_work_factor"]
});
var signing = external_exports.strictObject({
  public_key: external_exports.string().regex(/^\s*ssh-ed25519\s+[A-Za-z0-9+/]+={0,2}(\s.*)?$/, { error: "expected an ssh-ed25519 public key line, as in the .pub file ssh-keygen -t ed25519 writes" })
});
var locks = external_exports.strictObject({ stale_after: clockDuration.prefault("6h") });
var keep = external_exports.int().min(0);
var retention = external_exports.strictObject({
  keep_last: keep.optional(),
  keep_hourly: keep.optional(),
  keep_daily: keep.optional(),
  keep_weekly: keep.optional(),
  keep_monthly: keep.optional(),
  keep_yearly: keep.optional(),
  keep_within: calendarSpan.optional()
});
var cron = external_exports.string().regex(/^\s*(\S+\s+){4}\S+\s*$/, { error: 'expected a cron expression of five fields, e.g. "0 2 * * *"' });
var schedule = external_exports.strictObject({ backup: cron.optional(), drill: cron.optional(), watch: cron.optional() });
var expectation = external_exports.union([
  external_exports.strictObject({ equals: external_exports.union([external_exports.string(), external_exports.number(), external_exports.boolean()]) }),
  external_exports.strictObject({ min: external_exports.number().optional(), max: external_exports.number().optional() }).refine((e) => e.min !== void 0 || e.max !== void 0, { error: "expected min, max or both" }),
  external_exports.strictObject({ contains: external_exports.string() }),
  /** Reference check: every path the query returns (one per row) is a file in the restored files source `in`. */
  external_exports.strictObject({ files_exist: external_exports.strictObject({ in: sourceName, strip_prefix: external_exports.string().min(1).optional() }) })
]);
var checkBase = {
  name: external_exports.string().min(1),
  retries: external_exports.int().min(0).max(100).default(0),
  interval: clockDuration.prefault("2s"),
  timeout: clockDuration.prefault("30s")
};
var sqlCheck = external_exports.strictObject({ ...checkBase, source: sourceName, sql: external_exports.string().min(1), expect: expectation });
var httpCheck = external_exports.strictObject({
  ...checkBase,
  http: external_exports.strictObject({
    url: external_exports.url({ protocol: /^https?$/ }),
    status: external_exports.int().min(100).max(599).default(200),
    contains: external_exports.string().optional()
  })
});
var commandCheck = external_exports.strictObject({ ...checkBase, command: argv });
var healthCheck = external_exports.union([sqlCheck, httpCheck, commandCheck]);
var hook = external_exports.strictObject({ command: argv, timeout: clockDuration.prefault("5m") });
var hooks = external_exports.strictObject({
  pre_backup: external_exports.array(hook).default([]),
  post_backup: external_exports.array(hook).default([]),
  pre_restore: external_exports.array(hook).default([]),
  post_restore: external_exports.array(hook).default([])
});
var planSchema = external_exports.strictObject({
  $schema: external_exports.string().optional(),
  version: external_exports.literal(1, { error: "expected version: 1 (the only plan format so far)" }),
  name: external_exports.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "expected a name of a-z, 0-9 and - (it names the folder on every target)" }),
  app: app.optional(),
  sources: external_exports.array(sourceConfig).min(1, { error: "a plan needs at least one source" }),
  targets: external_exports.array(targetConfig).min(1, { error: "a plan needs at least one target" }),
  policy: policy.default({ rule: "3-2-1" }),
  compression: compression.default({ algorithm: "zstd" }),
  encryption: encryption.optional(),
  signing: signing.optional(),
  locks: locks.prefault({}),
  retention: retention.optional(),
  schedule: schedule.optional(),
  restore: external_exports.strictObject({
    healthchecks: external_exports.array(healthCheck).default([]),
    /** restore warns when restore points take more of their disk than this (each restore keeps a whole copy of what it replaced). */
    restore_points_share: external_exports.string().regex(/^(100|\d{1,2}(\.\d+)?)%$/, { error: 'a share of the disk such as "10%"' }).default("10%")
  }).default({ healthchecks: [], restore_points_share: "10%" }),
  hooks: hooks.default({ pre_backup: [], post_backup: [], pre_restore: [], post_restore: [] }),
  /** Monitoring (src/notify/): where outcomes are sent, where metrics are pushed. */
  notify: external_exports.array(notifierConfig).default([]),
  metrics: metricsConfig.optional(),
  objectives: objectivesConfig.optional()
});

export {
  require_picomatch2 as require_picomatch,
  F,
  ft,
  rt,
  refusal,
  selector,
  noteLeftOut,
  files,
  parseConnection,
  describeConnection,
  withClient,
  explainClientError,
  besideName,
  dropDatabase,
  sourceAdapter,
  medium,
  WRITE_ONCE_TYPES,
  TEMP_PREFIX,
  targetAdapter,
  createTarget,
  humanSeconds,
  evaluateObjectives,
  planSchema
};
