/**
 * Compiles a channel pattern of the `channels` API method into a RegExp. Syntax (as Centrifugo's):
 * `*` any run of characters, `?` one character, `[abc]`/`[a-z]`/`[!abc]` a class, `{a,b}`
 * alternatives, `\x` a literal `x`. Everything else matches itself. '' matches every channel.
 */
export function compileChannelPattern(pattern: string): RegExp {
  if (pattern === '') return /^/
  let source = ''
  let depth = 0
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string
    switch (char) {
      case '*':
        source += '.*'
        break
      case '?':
        source += '.'
        break
      case '\\': {
        const next = pattern[++i]
        if (next === undefined) throw new SyntaxError('pattern ends with an escape')
        source += escape(next)
        break
      }
      case '[': {
        const end = pattern.indexOf(']', i + 2)
        if (end === -1) throw new SyntaxError('unclosed [ in pattern')
        let body = pattern.slice(i + 1, end)
        const negated = body.startsWith('!')
        if (negated) body = body.slice(1)
        source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`
        i = end
        break
      }
      case '{':
        depth++
        source += '(?:'
        break
      case '}':
        if (depth === 0) throw new SyntaxError('unbalanced } in pattern')
        depth--
        source += ')'
        break
      case ',':
        source += depth > 0 ? '|' : ','
        break
      default:
        source += escape(char)
    }
  }
  if (depth !== 0) throw new SyntaxError('unclosed { in pattern')
  return new RegExp(`^${source}$`, 's')
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
