import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  calendarSpan,
  clockDuration,
  metricsConfig,
  notifierConfig
} from "./chunk-2H3FGURD.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  RunError,
  ioHint,
  reason
} from "./chunk-WHVU3KGO.js";
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
var require_utils = __commonJS({
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
    var utils = require_utils();
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
    var depth = (token) => {
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
            depth(tokens[idx]);
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
          depth(tokens[tokens.length - 1]);
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
    var constants = require_constants();
    var utils = require_utils();
    var {
      MAX_LENGTH,
      POSIX_REGEX_SOURCE,
      REGEX_NON_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_BACKREF,
      REPLACEMENTS
    } = constants;
    var expandRange = (args, options) => {
      if (typeof options.expandRange === "function") {
        return options.expandRange(...args, options);
      }
      args.sort();
      const value = `[${args.join("-")}]`;
      try {
        new RegExp(value);
      } catch (ex) {
        return args.map((v) => utils.escapeRegex(v)).join("..");
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
      let quote = 0;
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
          quote = quote === 1 ? 0 : 1;
          value += ch;
          continue;
        }
        if (quote === 0) {
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
        for (let j = i + 1; j < values.length; j++) {
          const a = values[i];
          const b = values[j];
          const char = a[0];
          if (!char || a !== char.repeat(a.length) || b !== char.repeat(b.length)) {
            continue;
          }
          if (a === b || a.startsWith(b) || b.startsWith(a)) {
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
      let quote = 0;
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
          quote = quote === 1 ? 0 : 1;
          continue;
        }
        if (quote === 1) {
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
      let depth = 0;
      let value = pattern.trim();
      let match = parseRepeatedExtglob(value);
      while (match) {
        depth++;
        value = match.body.trim();
        match = parseRepeatedExtglob(value);
      }
      return depth;
    };
    var analyzeRepeatedExtglob = (body, options) => {
      if (options.maxExtglobRecursion === false) {
        return { risky: false };
      }
      const max = typeof options.maxExtglobRecursion === "number" ? options.maxExtglobRecursion : constants.DEFAULT_MAX_EXTGLOB_RECURSION;
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
        const literal = normalizeSimpleBranch(branch);
        if (literal && literal.length === 1) {
          safeChars.push(literal);
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
      const PLATFORM_CHARS = constants.globChars(opts.windows);
      const EXTGLOB_CHARS = constants.extglobChars(PLATFORM_CHARS);
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
        const literal = input.slice(token.startIndex, state.index + 1);
        const body = input.slice(token.startIndex + 2, state.index);
        const analysis = analyzeRepeatedExtglob(body, opts);
        if ((token.type === "plus" || token.type === "star") && analysis.risky) {
          const safeOutput = analysis.safeOutput ? (token.output ? "" : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput) : void 0;
          const open = tokens[token.tokensIndex];
          open.type = "text";
          open.value = literal;
          open.output = safeOutput || utils.escapeRegex(literal);
          for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
            tokens[i].value = "";
            tokens[i].output = "";
            delete tokens[i].suffix;
          }
          state.output = token.output + open.output;
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
        let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m, esc, chars, first, rest, index) => {
          if (first === "\\") {
            backslashes = true;
            return m;
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
          return esc ? m : `\\${m}`;
        });
        if (backslashes === true) {
          if (opts.unescape === true) {
            output = output.replace(/\\/g, "");
          } else {
            output = output.replace(/\\+/g, (m) => {
              return m.length % 2 === 0 ? "\\\\" : m ? "\\" : "";
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
                const posix = POSIX_REGEX_SOURCE[rest2];
                if (posix) {
                  prev.value = pre + posix;
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
          const open = {
            type: "brace",
            value,
            output: "(",
            outputIndex: state.output.length,
            tokensIndex: state.tokens.length
          };
          braces.push(open);
          push(open);
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
      } = constants.globChars(opts.windows);
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
    var utils = require_utils();
    var constants = require_constants();
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
      const posix = opts.windows;
      const regex = isState ? picomatch2.compileRe(glob, options) : picomatch2.makeRe(glob, options, false, true);
      const state = regex.state;
      delete regex.state;
      let isIgnored = () => false;
      if (opts.ignore) {
        const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
        isIgnored = picomatch2(opts.ignore, ignoreOpts, returnState);
      }
      const matcher = (input, returnObject = false) => {
        const { isMatch, match, output } = picomatch2.test(input, regex, options, { glob, posix });
        const result = { glob, state, regex, posix, input, output, match, isMatch };
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
    picomatch2.test = (input, regex, options, { glob, posix } = {}) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected input to be a string");
      }
      if (input === "") {
        return { isMatch: false, output: "" };
      }
      const opts = options || {};
      const format = opts.format || (posix ? utils.toPosixSlashes : null);
      let match = input === glob;
      let output = match && format ? format(input) : input;
      if (match === false) {
        output = format ? format(input) : input;
        match = output === glob;
      }
      if (match === false || opts.capture === true) {
        if (opts.matchBase === true || opts.basename === true) {
          match = picomatch2.matchBase(input, regex, options, posix);
        } else {
          match = regex.exec(output);
        }
      }
      return { isMatch: Boolean(match), match, output };
    };
    picomatch2.matchBase = (input, glob, options, posix = options && options.windows) => {
      const regex = glob instanceof RegExp ? glob : picomatch2.makeRe(glob, options);
      return regex.test(utils.basename(input, { windows: posix }));
    };
    picomatch2.isMatch = (str, patterns, options) => picomatch2(patterns, options)(str);
    picomatch2.parse = (pattern, options) => {
      if (Array.isArray(pattern)) return pattern.map((p) => picomatch2.parse(p, options));
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
    picomatch2.constants = constants;
    module.exports = picomatch2;
  }
});

// node_modules/picomatch/index.js
var require_picomatch2 = __commonJS({
  "node_modules/picomatch/index.js"(exports, module) {
    "use strict";
    var pico = require_picomatch();
    var utils = require_utils();
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
  const limit = (ms) => ms === void 0 ? void 0 : ms / 1e3;
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

// src/sources/files-config.ts
var import_picomatch = __toESM(require_picomatch2(), 1);
import { basename as basename2 } from "node:path";

// src/sources/path-swap.ts
import { link, lstat, mkdir, readdir, rename, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
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
  return join(dirname(live), `.${basename(live)}.restorable-${what}-${tag}`);
}
var info = (path) => lstat(path).catch(() => void 0);
var exists = async (path) => await info(path) !== void 0;
async function planFileSwap(live, staged, tag, companions = []) {
  const point = besidePath(live, "restore-point", tag);
  const name = basename(live);
  const steps = [];
  const present = [];
  for (const suffix of companions) if (await exists(live + suffix)) present.push(suffix);
  const liveThere = await exists(live);
  if (liveThere || present.length > 0) steps.push({ op: "mkdir", path: point });
  for (const suffix of present) steps.push({ op: "move", from: live + suffix, to: join(point, name + suffix) });
  if (liveThere) steps.push({ op: "link", live, point: join(point, name) }, { op: "over", staged, live, point: join(point, name) });
  else steps.push({ op: "move", from: staged, to: live });
  return { point: steps[0].op === "mkdir" ? point : null, steps };
}
async function planTreeSwap(live, staged, tag, kept, keptBelow = []) {
  const liveInfo = await info(live);
  if (!liveInfo) return { point: null, steps: [{ op: "move", from: staged, to: live }] };
  const point = besidePath(live, "restore-point", tag);
  const mirror = join(point, basename(live));
  if (!liveInfo.isDirectory()) return { point, steps: [{ op: "mkdir", path: point }, { op: "move", from: live, to: mirror }, { op: "move", from: staged, to: live }] };
  const mixed = /* @__PURE__ */ new Set();
  const markParents = (rel) => {
    for (let d = dirname(rel); d !== "." && d !== ""; d = dirname(d)) mixed.add(d);
  };
  for (const rel of keptBelow) markParents(rel);
  const walk = async (rel) => {
    for (const entry of await readdir(join(live, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (kept(r, entry.isDirectory())) markParents(r);
      else if (entry.isDirectory()) await walk(r);
    }
  };
  await walk("");
  const steps = [{ op: "mkdir", path: point }, { op: "mkdir", path: mirror }];
  const names = async (dir) => readdir(dir).catch(() => []);
  const swapFolder = async (rel) => {
    const all = /* @__PURE__ */ new Set([...await names(join(live, rel)), ...await names(join(staged, rel))]);
    for (const name of [...all].sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const [old, fresh] = [await info(join(live, r)), await info(join(staged, r))];
      if (kept(r, (old ?? fresh).isDirectory())) continue;
      if (old?.isDirectory() && mixed.has(r)) {
        steps.push({ op: "mkdir", path: join(mirror, r) });
        await swapFolder(r);
        continue;
      }
      if (old?.isFile() && fresh && !fresh.isDirectory()) {
        steps.push({ op: "link", live: join(live, r), point: join(mirror, r) }, { op: "over", staged: join(staged, r), live: join(live, r), point: join(mirror, r) });
        continue;
      }
      if (old) steps.push({ op: "move", from: join(live, r), to: join(mirror, r) });
      if (fresh) steps.push({ op: "move", from: join(staged, r), to: join(live, r) });
    }
  };
  await swapFolder("");
  return { point, steps, leftover: staged };
}
async function planMergeSwap(live, staged, tag, kept) {
  const liveInfo = await info(live);
  if (!liveInfo?.isDirectory()) return planTreeSwap(live, staged, tag, kept);
  const point = besidePath(live, "restore-point", tag);
  const mirror = join(point, basename(live));
  const steps = [];
  const planned = /* @__PURE__ */ new Set();
  const keepAt = (rel) => {
    const missing = [];
    for (let d = dirname(rel); !planned.has(d === "." ? "" : d); d = dirname(d)) {
      missing.push(d === "." ? "" : d);
      if (d === ".") break;
    }
    if (!planned.has("") && missing.at(-1) === "") steps.push({ op: "mkdir", path: point });
    for (const d of missing.reverse()) {
      steps.push({ op: "mkdir", path: d ? join(mirror, d) : mirror });
      planned.add(d);
    }
    return join(mirror, rel);
  };
  const visit = async (rel) => {
    for (const name of (await readdir(join(staged, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const fresh = await info(join(staged, r));
      const old = await info(join(live, r));
      if (kept(r, fresh.isDirectory())) continue;
      if (fresh.isDirectory() && old?.isDirectory()) {
        await visit(r);
        continue;
      }
      if (old?.isFile() && !fresh.isDirectory()) {
        const at = keepAt(r);
        steps.push({ op: "link", live: join(live, r), point: at }, { op: "over", staged: join(staged, r), live: join(live, r), point: at });
        continue;
      }
      if (old) steps.push({ op: "move", from: join(live, r), to: keepAt(r) });
      steps.push({ op: "move", from: join(staged, r), to: join(live, r) });
    }
  };
  await visit("");
  return { point: planned.size > 0 ? point : null, steps, leftover: staged };
}
var NO_LINKS = /* @__PURE__ */ new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "EXDEV", "ENOSYS"]);
function fail(step, what, error) {
  throw new RunError(`Could not ${what} (${JSON.stringify(step)})${error ? `: ${reason(error)}` : ""}.`, { hint: error ? ioHint(error) : "Something else changed the live data during the restore; nothing of the previous state was deleted.", cause: error });
}
async function runPathStep(step) {
  try {
    if (step.op === "mkdir") {
      if (!await exists(step.path)) await mkdir(step.path, { mode: 448 });
    } else if (step.op === "move") {
      if (!await exists(step.from) && await exists(step.to)) return;
      if (await exists(step.to)) fail(step, `move ${step.from}: ${step.to} is in the way`);
      await rename(step.from, step.to);
    } else if (step.op === "link") {
      if (await exists(step.point)) return;
      await link(step.live, step.point).catch(async (error) => {
        if (!NO_LINKS.has(error.code ?? "")) throw error;
        await rename(step.live, step.point);
      });
    } else {
      if (!await exists(step.staged)) return;
      if (!await exists(step.point)) fail(step, `replace ${step.live}: its restore point ${step.point} is missing`);
      await rename(step.staged, step.live);
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
    await rmdir(step.path).catch((error) => {
      if (error.code !== "ENOENT") throw new RunError(`${step.path} is not empty after the undo: ${reason(error)}`);
    });
  } else if (step.op === "move") {
    if (!await exists(step.from) && await exists(step.to) && await exists(dirname(step.from))) await rename(step.to, step.from);
  } else if (step.op === "link") {
    const [point, live] = [await info(step.point), await info(step.live)];
    if (!point) return;
    if (!live) await rename(step.point, step.live);
    else if (live.ino === point.ino && live.dev === point.dev) await unlink(step.point);
    else throw new RunError(`${step.live} is not the file kept at ${step.point}`);
  } else {
    if (await exists(step.staged)) return;
    if (await exists(step.point)) await rename(step.point, step.live);
  }
}
function inside(parent, child) {
  const rel = relative(parent, child);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/") ? rel.split("\\").join("/") : void 0;
}

// src/sources/source.ts
var sourceName = external_exports.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: "expected a name of a-z, 0-9, - and _ (up to 63 characters)" });
var sourceBase = {
  name: sourceName,
  /** Sources this one snapshots after. Files default to after every database. */
  after: external_exports.array(sourceName).optional()
};

// src/sources/files-config.ts
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

// src/sources/pg-config.ts
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

// src/sources/sqlite-config.ts
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

// src/sources/configs.ts
var sourceConfig = external_exports.discriminatedUnion("type", [sqliteConfig, postgresConfig, filesConfig]);
var SOURCE_KINDS = { sqlite: "database", postgres: "database", files: "files" };
var SQL_SOURCES = /* @__PURE__ */ new Set(["sqlite", "postgres"]);

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

// src/targets/github-artifact-config.ts
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
var githubArtifactTraits = { defaults: { medium: "artifact", offsite: true, immutable: false } };

// src/targets/github-cache-config.ts
var githubCacheConfig = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("github-cache"),
  /** For list and prune: a token with actions:read/write; default GITHUB_TOKEN. */
  token: external_exports.string().optional(),
  /** owner/name; default GITHUB_REPOSITORY. */
  repository: external_exports.string().regex(/^[\w.-]+\/[\w.-]+$/).optional()
});
var githubCacheTraits = { defaults: { medium: "artifact", offsite: true, immutable: false, counted: false } };

// src/targets/local-config.ts
var localConfig = external_exports.strictObject({
  ...targetBase,
  type: external_exports.literal("local"),
  path: external_exports.string().min(1)
});
var localTraits = { defaults: { medium: "disk", offsite: false, immutable: false } };

// src/targets/s3-config.ts
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
var objectLocked = (config) => config.object_lock !== void 0;
var s3Traits = { defaults: { medium: "object", offsite: true, immutable: false }, implied: (config) => ({ immutable: objectLocked(config) }) };

// src/targets/sftp-config.ts
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
var sftpTraits = { defaults: { medium: "disk", offsite: true, immutable: false } };

// src/targets/configs.ts
var targetConfig = external_exports.discriminatedUnion("type", [localConfig, s3Config, sftpConfig, githubArtifactConfig, githubCacheConfig]);
var TRAITS = { local: localTraits, s3: s3Traits, sftp: sftpTraits, "github-artifact": githubArtifactTraits, "github-cache": githubCacheTraits };
function traitsOf(config) {
  const traits = TRAITS[config.type];
  const { defaults } = traits;
  return {
    medium: config.medium ?? defaults.medium,
    offsite: config.offsite ?? defaults.offsite,
    immutable: config.immutable ?? traits.implied?.(config).immutable ?? defaults.immutable,
    counted: defaults.counted !== false
  };
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
  pathStep,
  BESIDE_NAME,
  besidePath,
  planFileSwap,
  planTreeSwap,
  planMergeSwap,
  runPathStep,
  undoPathSteps,
  inside,
  filesConfig,
  selector,
  postgresConfig,
  sqliteConfig,
  SOURCE_KINDS,
  SQL_SOURCES,
  medium,
  WRITE_ONCE_TYPES,
  FILE_MODE,
  DIR_MODE,
  TEMP_PREFIX,
  retryMessage,
  githubArtifactConfig,
  githubArtifactTraits,
  githubCacheConfig,
  githubCacheTraits,
  localConfig,
  localTraits,
  s3Config,
  s3Traits,
  sftpConfig,
  sftpTraits,
  traitsOf,
  humanSeconds,
  evaluateObjectives,
  planSchema
};
