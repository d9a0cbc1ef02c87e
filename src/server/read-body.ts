/** Reads an HTTP request body with a size limit, for every route that takes one. */
import type { IncomingMessage } from 'node:http'

/** The body passed `maxBytes`; reading stopped there. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body exceeds ${maxBytes} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

/**
 * The client went away before sending the whole body (the connection closed, or the request
 * stream failed): the peer's doing, not a bug; there is no one left to answer.
 */
export class RequestAbortedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('request aborted', options)
    this.name = 'RequestAbortedError'
  }
}

/**
 * Reads a request body into memory, refusing to hold more than `maxBytes`: a declared
 * `Content-Length` over the limit is refused before reading, and a body that streams past it
 * stops being read at the limit (the caller answers 413 and closes the connection). Rejects with
 * `BodyTooLargeError` for a large body and `RequestAbortedError` when the client goes away.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      total += chunk.length
      if (total > maxBytes) {
        cleanup()
        req.pause()
        reject(new BodyTooLargeError(maxBytes))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, total))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(new RequestAbortedError({ cause: error }))
    }
    const onClose = () => {
      if (req.complete) return
      cleanup()
      reject(new RequestAbortedError())
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
