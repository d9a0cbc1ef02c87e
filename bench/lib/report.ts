import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Median of the runs of one cell (the figure the ratios use). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function fmtInt(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-'
}

export function fmtMs(us: number): string {
  return Number.isFinite(us) ? (us / 1000).toFixed(us < 10_000 ? 2 : 1) : '-'
}

export function fmtRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '-'
}

export function fmtPct(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)}%` : '-'
}

/** Prints rows as an aligned text table (first row = header). */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  const line = (row: readonly string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  const [header, ...body] = rows
  if (header === undefined) return
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of body) console.log(line(row))
}

/** Writes the raw runs to bench/results/<name>-<time>.json (git-ignored); returns the path. */
export function saveResults(name: string, data: unknown): string {
  const dir = fileURLToPath(new URL('../results/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const path = `${dir}${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`)
  return path
}

/** Parses `--name value` flags into a map; `--flag` alone is 'true'. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) continue
    const next = argv[i + 1]
    if (next === undefined || next.startsWith('--')) flags.set(arg.slice(2), 'true')
    else {
      flags.set(arg.slice(2), next)
      i++
    }
  }
  return flags
}

/** A comma-separated list of positive integers, e.g. `--conns 100,1000`. */
export function intList(value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback]
  const list = value.split(',').map((part) => Number(part))
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`not a list of positive integers: ${value}`)
  return list
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(50)
  }
  return check()
}
