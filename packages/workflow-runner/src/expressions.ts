/**
 * The subset of the GitHub Actions expression language the templates use: literals, context paths
 * (`steps.detect.outputs.manifest`, `github.event.inputs['dry-run']`), `!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`,
 * `||` (which return an operand, as on GitHub, so `vars.X || 'default'` works), parentheses, and the functions
 * success(), failure(), always(), cancelled(), contains(), startsWith(), endsWith(), format(), join(), toJSON(),
 * fromJSON(). Unknown functions and syntax errors throw, so a template using something unsupported fails loudly
 * instead of being evaluated wrongly.
 */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface Contexts {
  [context: string]: Value;
}

/** Status functions read the job's state. */
export interface EvalState {
  jobFailed?: boolean;
}

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in expression: ${src}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)/.exec(
        src.slice(i),
      ) as RegExpExecArray;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('!<>()[].,*'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else {
        throw new Error(`unexpected "${c}" in expression: ${src}`);
      }
    }
  }
  out.push({ t: 'end' });
  return out;
}

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'ctx'; name: string }
  | { k: 'prop'; obj: Node; key: Node | string }
  | { k: 'not'; e: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'call'; name: string; args: Node[] };

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
  ) {}

  parse(): Node {
    const n = this.or();
    if (this.peek().t !== 'end') this.fail('unexpected token');
    return n;
  }
  private peek(): Token {
    return this.toks[this.i] as Token;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) this.fail(`expected "${v}"`);
    this.i++;
  }
  private fail(msg: string): never {
    throw new Error(`${msg} in expression: ${this.src}`);
  }
  private or(): Node {
    let a = this.and();
    while (this.isOp('||')) {
      this.i++;
      a = { k: 'bin', op: '||', a, b: this.and() };
    }
    return a;
  }
  private and(): Node {
    let a = this.cmp();
    while (this.isOp('&&')) {
      this.i++;
      a = { k: 'bin', op: '&&', a, b: this.cmp() };
    }
    return a;
  }
  private cmp(): Node {
    let a = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
        this.i++;
        a = { k: 'bin', op: t.v, a, b: this.unary() };
      } else return a;
    }
  }
  private unary(): Node {
    if (this.isOp('!')) {
      this.i++;
      return { k: 'not', e: this.unary() };
    }
    return this.postfix(this.primary());
  }
  private primary(): Node {
    const t = this.peek();
    this.i++;
    if (t.t === 'str' || t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      this.expect(')');
      return e;
    }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { k: 'lit', v: null };
      if (this.isOp('(')) {
        this.i++;
        const args: Node[] = [];
        if (!this.isOp(')')) {
          args.push(this.or());
          while (this.isOp(',')) {
            this.i++;
            args.push(this.or());
          }
        }
        this.expect(')');
        return { k: 'call', name: t.v.toLowerCase(), args };
      }
      return { k: 'ctx', name: t.v };
    }
    this.fail('unexpected token');
  }
  private postfix(n: Node): Node {
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.peek();
        if (t.t === 'id') {
          this.i++;
          n = { k: 'prop', obj: n, key: t.v };
        } else if (t.t === 'op' && t.v === '*') {
          this.fail('object filters (.*) are not supported');
        } else this.fail('expected a property name');
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.or();
        this.expect(']');
        n = { k: 'prop', obj: n, key };
      } else return n;
    }
  }
}

/** GitHub's truthiness: false, 0, -0, '', null and NaN are falsy. */
export function truthy(v: Value): boolean {
  if (v === null || v === false || v === '' || v === 0) return false;
  if (typeof v === 'number' && Number.isNaN(v)) return false;
  return true;
}

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
}

/** String form, as `${{ }}` interpolation writes it. */
export function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 2);
}

/** GitHub compares strings case-insensitively and coerces mismatched types to numbers. */
function equals(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null)) return a === b;
  if ((a !== null && typeof a === 'object') || (b !== null && typeof b === 'object')) return a === b;
  return toNumber(a) === toNumber(b);
}

function compare(op: string, a: Value, b: Value): boolean {
  const [x, y] =
    typeof a === 'string' && typeof b === 'string'
      ? [a.toLowerCase(), b.toLowerCase()]
      : [toNumber(a), toNumber(b)];
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

function lookup(obj: Value, key: Value): Value {
  if (obj === null || typeof obj !== 'object') return null;
  if (Array.isArray(obj)) return typeof key === 'number' ? (obj[key] ?? null) : null;
  const k = toText(key);
  if (k in obj) return obj[k] ?? null;
  // Property names are case-insensitive on GitHub.
  const found = Object.keys(obj).find((name) => name.toLowerCase() === k.toLowerCase());
  return found === undefined ? null : (obj[found] ?? null);
}

function evaluate(n: Node, ctx: Contexts, state: EvalState): Value {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'ctx': {
      const v = lookup(ctx as Value, n.name);
      if (v === null && !Object.keys(ctx).some((k) => k.toLowerCase() === n.name.toLowerCase())) {
        throw new Error(`unknown context "${n.name}"`);
      }
      return v;
    }
    case 'prop':
      return lookup(
        evaluate(n.obj, ctx, state),
        typeof n.key === 'string' ? n.key : evaluate(n.key, ctx, state),
      );
    case 'not':
      return !truthy(evaluate(n.e, ctx, state));
    case 'bin': {
      const a = evaluate(n.a, ctx, state);
      if (n.op === '&&') return truthy(a) ? evaluate(n.b, ctx, state) : a;
      if (n.op === '||') return truthy(a) ? a : evaluate(n.b, ctx, state);
      const b = evaluate(n.b, ctx, state);
      if (n.op === '==') return equals(a, b);
      if (n.op === '!=') return !equals(a, b);
      return compare(n.op, a, b);
    }
    case 'call':
      return call(
        n.name,
        n.args.map((a) => evaluate(a, ctx, state)),
        state,
      );
  }
}

function call(name: string, args: Value[], state: EvalState): Value {
  const s = (i: number): string => toText(args[i] ?? null);
  switch (name) {
    case 'success':
      return !state.jobFailed;
    case 'failure':
      return !!state.jobFailed;
    case 'always':
      return true;
    case 'cancelled':
      return false;
    case 'contains': {
      const hay = args[0] ?? null;
      if (Array.isArray(hay)) return hay.some((v) => equals(v, args[1] ?? null));
      return s(0).toLowerCase().includes(s(1).toLowerCase());
    }
    case 'startswith':
      return s(0).toLowerCase().startsWith(s(1).toLowerCase());
    case 'endswith':
      return s(0).toLowerCase().endsWith(s(1).toLowerCase());
    case 'format':
      return s(0).replace(/\{(\d+)\}/g, (_, i: string) => s(Number(i) + 1));
    case 'join': {
      const v = args[0] ?? null;
      const sep = args.length > 1 ? s(1) : ',';
      return Array.isArray(v) ? v.map(toText).join(sep) : toText(v);
    }
    case 'tojson':
      return JSON.stringify(args[0] ?? null, null, 2);
    case 'fromjson':
      return JSON.parse(s(0)) as Value;
    default:
      throw new Error(`the function ${name}() is not supported by the local runner`);
  }
}

/** Evaluates one expression (the text between `${{` and `}}`, or an `if:` without them). */
export function evaluateExpression(src: string, ctx: Contexts, state: EvalState = {}): Value {
  return evaluate(new Parser(tokenize(src), src).parse(), ctx, state);
}

/** Replaces every `${{ … }}` in a string; a value that is only one expression keeps its type. */
export function interpolate(text: string, ctx: Contexts, state: EvalState = {}): Value {
  const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(text);
  if (whole && !whole[1]?.includes('}}')) return evaluateExpression(whole[1] as string, ctx, state);
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => toText(evaluateExpression(e, ctx, state)));
}

/**
 * An `if:` condition: with or without `${{ }}`; without a status function GitHub adds `success() &&`.
 * Absent means success().
 */
export function evaluateCondition(cond: unknown, ctx: Contexts, state: EvalState = {}): boolean {
  if (cond === undefined || cond === null) return !state.jobFailed;
  if (typeof cond === 'boolean') return cond && !state.jobFailed;
  let src = String(cond).trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(src);
  if (wrapped) src = (wrapped[1] as string).trim();
  const hasStatus = /\b(success|failure|always|cancelled)\s*\(/.test(src);
  const v = truthy(evaluateExpression(src, ctx, state));
  return hasStatus ? v : v && !state.jobFailed;
}
