/**
 * Channel patterns of the `channels` API method, matched in time linear in the channel name: the
 * pattern becomes a small automaton whose set of live states advances one character at a time
 * (as RE2 does), so no pattern can make a match backtrack. Syntax (as Centrifugo's): `*` any run
 * of characters, `?` one character, `[abc]`/`[a-z]`/`[!abc]` a class, `{a,b}` alternatives, `\x`
 * a literal `x`. Everything else matches itself. '' matches every channel.
 */

/** The longest pattern accepted: the work of one match is at most name length × pattern length. */
export const maxChannelPatternLength = 256

/** A compiled pattern. */
export interface ChannelMatcher {
  test(name: string): boolean
}

type CharTest = (char: string) => boolean
type PatternNode = { kind: 'char'; test: CharTest } | { kind: 'star' } | { kind: 'alt'; options: PatternNode[][] }

/**
 * An automaton state: `char` consumes one character that passes its test, `star` consumes any
 * character and stays, and may also be left without consuming; `split` leaves to every branch of
 * an alternative without consuming; `accept` ends a match.
 */
type State =
  | { kind: 'char'; test: CharTest; next: number }
  | { kind: 'star'; next: number }
  | { kind: 'split'; branches: number[] }
  | { kind: 'accept' }

/** Compiles `pattern`; a malformed or over-long pattern throws a `SyntaxError`. */
export function compileChannelPattern(pattern: string): ChannelMatcher {
  if (pattern === '') return { test: () => true }
  if (pattern.length > maxChannelPatternLength) {
    throw new SyntaxError(`pattern longer than ${maxChannelPatternLength} characters`)
  }
  const states: State[] = [{ kind: 'accept' }]
  const start = compileSequence(new PatternParser(pattern).parse(), 0, states)
  return new Automaton(states, start)
}

class Automaton implements ChannelMatcher {
  /** Per state, the step in which it was last added: a state is live at most once per step. */
  private readonly seenInStep: Int32Array
  private step = 0

  constructor(
    private readonly states: readonly State[],
    private readonly start: number,
  ) {
    this.seenInStep = new Int32Array(states.length).fill(-1)
  }

  test(name: string): boolean {
    let live = this.closure([this.start])
    for (const char of name) {
      const next: number[] = []
      for (const index of live) {
        const state = this.states[index] as State
        if (state.kind === 'star') next.push(index)
        else if (state.kind === 'char' && state.test(char)) next.push(state.next)
      }
      if (next.length === 0) return false
      live = this.closure(next)
    }
    return live.some((index) => this.states[index]?.kind === 'accept')
  }

  /** The states reachable from `from` without consuming a character, each once. */
  private closure(from: number[]): number[] {
    const step = ++this.step
    const live: number[] = []
    const pending = from.slice()
    while (pending.length > 0) {
      const index = pending.pop() as number
      if (this.seenInStep[index] === step) continue
      this.seenInStep[index] = step
      const state = this.states[index] as State
      if (state.kind === 'split') {
        pending.push(...state.branches)
        continue
      }
      live.push(index)
      if (state.kind === 'star') pending.push(state.next)
    }
    return live
  }
}

/** Appends the states of `nodes` followed by `next` to `states`; returns the first one. */
function compileSequence(nodes: PatternNode[], next: number, states: State[]): number {
  let entry = next
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as PatternNode
    if (node.kind === 'char') states.push({ kind: 'char', test: node.test, next: entry })
    else if (node.kind === 'star') states.push({ kind: 'star', next: entry })
    else {
      const exit = entry
      const branches = node.options.map((option) => compileSequence(option, exit, states))
      states.push({ kind: 'split', branches })
    }
    entry = states.length - 1
  }
  return entry
}

class PatternParser {
  private position = 0

  constructor(private readonly pattern: string) {}

  parse(): PatternNode[] {
    const nodes = this.sequence(false)
    if (this.position < this.pattern.length) throw new SyntaxError('unbalanced } in pattern')
    return nodes
  }

  /** Nodes up to the end of the pattern, or, inside braces, up to the next `,` or `}`. */
  private sequence(inBraces: boolean): PatternNode[] {
    const nodes: PatternNode[] = []
    while (this.position < this.pattern.length) {
      const char = this.pattern[this.position] as string
      if (char === '}' || (char === ',' && inBraces)) break
      this.position++
      if (char === '*') {
        if (nodes.at(-1)?.kind !== 'star') nodes.push({ kind: 'star' })
      } else if (char === '?') nodes.push({ kind: 'char', test: () => true })
      else if (char === '\\') nodes.push(literal(this.escaped()))
      else if (char === '[') nodes.push(this.characterClass())
      else if (char === '{') nodes.push(this.alternatives())
      else nodes.push(literal(char))
    }
    return nodes
  }

  private escaped(): string {
    const char = this.pattern[this.position++]
    if (char === undefined) throw new SyntaxError('pattern ends with an escape')
    return char
  }

  /** `[…]` after its `[`: the first character is always part of the set, so `[]]` is `]`. */
  private characterClass(): PatternNode {
    const end = this.pattern.indexOf(']', this.position + 1)
    if (end === -1) throw new SyntaxError('unclosed [ in pattern')
    let body = this.pattern.slice(this.position, end)
    this.position = end + 1
    const negated = body.startsWith('!')
    if (negated) body = body.slice(1)
    const members = Array.from(body)
    const ranges: Array<[string, string]> = []
    const singles = new Set<string>()
    for (let i = 0; i < members.length; i++) {
      const from = members[i] as string
      if (members[i + 1] === '-' && i + 2 < members.length) {
        ranges.push([from, members[i + 2] as string])
        i += 2
      } else singles.add(from)
    }
    const inSet = (char: string): boolean => singles.has(char) || ranges.some(([low, high]) => char >= low && char <= high)
    return { kind: 'char', test: negated ? (char) => !inSet(char) : inSet }
  }

  /** `{a,b,…}` after its `{`. */
  private alternatives(): PatternNode {
    const options: PatternNode[][] = []
    for (;;) {
      options.push(this.sequence(true))
      const char = this.pattern[this.position++]
      if (char === '}') return { kind: 'alt', options }
      if (char !== ',') throw new SyntaxError('unclosed { in pattern')
    }
  }
}

function literal(expected: string): PatternNode {
  return { kind: 'char', test: (char) => char === expected }
}
