/**
 * Nesting depth of JSON text, measured before it is parsed: a peer's frame 20,000 levels deep
 * parses, but everything that walks the value afterwards (serialising it again, an application's
 * handler) recurses and overflows the stack. Each protocol's decoder refuses text nested deeper
 * than `maxJsonDepth` with its own bad-request code.
 */

/** The deepest nesting of objects and arrays a peer's JSON may have. */
export const maxJsonDepth = 64

const openBrace = 0x7b
const closeBrace = 0x7d
const openBracket = 0x5b
const closeBracket = 0x5d
const quote = 0x22
const backslash = 0x5c

/**
 * True when `text` nests objects and arrays deeper than `limit`. One linear pass that skips
 * string contents (brackets inside strings do not count); malformed text is left to the parser.
 */
export function jsonNestsDeeperThan(text: string, limit: number = maxJsonDepth): boolean {
  // Each level takes a character: text this short cannot be too deep, and is not scanned.
  if (text.length <= limit) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === backslash) i++
      else if (c === quote) inString = false
    } else if (c === quote) {
      inString = true
    } else if (c === openBrace || c === openBracket) {
      if (++depth > limit) return true
    } else if (c === closeBrace || c === closeBracket) {
      depth--
    }
  }
  return false
}
