/**
 * A native-protocol connection's command queue: frames run one at a time in arrival order, each
 * within the bounds of work a peer may cause (pending frame bytes, command rate, reply budget).
 */
import { ErrorReason, PeerError } from '../../errors.js'
import { DisconnectCode, decodeCommand, encodeError, splitFrame, type ClientCommand } from '../../protocol/centrifuge/index.js'
import { CommandRate } from './command-rate.js'
import { RpcError } from './rpc-registry.js'
import type { Session } from './session.js'

/**
 * Runs a session's frames in order. Bounded at receipt: a client whose frames wait past
 * `maxPendingFrameBytes` is closed with 3013. Bounded per frame: once its replies reach
 * `maxReplyBytesPerFrame`, the frame's remaining commands are refused with 111 without running.
 * Work stops as soon as the connection is gone (closed by us, the peer or the slow-consumer
 * policy). Never rejects.
 */
export class CommandQueue {
  readonly #session: Session
  readonly #rate: CommandRate
  #tail: Promise<void> = Promise.resolve()
  /** Characters of frames received and not yet processed. */
  #pendingChars = 0

  constructor(session: Session, nowMs: number) {
    this.#session = session
    const { maxCommandsPerSecond, commandBurst, maxRejectedPerSecond } = session.deps.options
    this.#rate = new CommandRate(maxCommandsPerSecond, commandBurst, maxRejectedPerSecond, nowMs)
  }

  receive(frame: string): Promise<void> {
    const chars = frame.length
    if (this.#pendingChars + chars > this.#session.deps.options.maxPendingFrameBytes) {
      this.#session.close(DisconnectCode.tooManyRequests)
      return this.#tail
    }
    this.#pendingChars += chars
    this.#tail = this.#tail.then(async () => {
      try {
        await this.#process(frame)
      } finally {
        this.#pendingChars -= chars
      }
    })
    return this.#tail
  }

  enqueue(task: () => Promise<void>): Promise<void> {
    const session = this.#session
    this.#tail = this.#tail.then(async () => {
      if (session.isClosed) return
      try {
        await task()
      } catch (error) {
        session.logInternal(error, 'queued task failed')
      }
      session.flush()
    })
    return this.#tail
  }

  async #process(frame: string): Promise<void> {
    const session = this.#session
    const budgetEnd = session.repliedChars + session.deps.options.maxReplyBytesPerFrame
    for (const line of splitFrame(frame)) {
      if (session.isClosed || !session.conn.isOpen) return
      let command: ClientCommand
      try {
        command = decodeCommand(line)
      } catch (error) {
        session.fail(error)
        return
      }
      if (command.type === 'pong') {
        session.notePong()
        continue
      }
      const verdict = this.#rate.take(Date.now())
      if (verdict === 'abuse') {
        session.close(DisconnectCode.tooManyRequests)
        return
      }
      if (verdict === 'refuse') {
        if ('id' in command) session.replyError(command.id, new PeerError(ErrorReason.tooManyRequests, ''))
        continue
      }
      if (session.repliedChars >= budgetEnd) {
        if ('id' in command) session.replyError(command.id, new PeerError(ErrorReason.tooManyRequests, 'reply budget of the frame used up'))
        continue
      }
      try {
        await session.deps.handle(session, command)
      } catch (error) {
        if (!this.#answerFailure(command, error)) return
      }
    }
    session.flush()
  }

  /** Turns a failed command into an error reply (true) or a close (false). */
  #answerFailure(command: ClientCommand, error: unknown): boolean {
    const session = this.#session
    const id = 'id' in command ? command.id : 0
    if (error instanceof PeerError && error.disconnect !== undefined) {
      session.fail(error)
      return false
    }
    if (command.type === 'connect') session.markConnectFailed()
    if (error instanceof RpcError) {
      if (id !== 0) session.reply(encodeError(id, { code: error.code, message: error.message, ...(error.temporary ? { temporary: true } : {}) }))
      return true
    }
    if (!(error instanceof PeerError)) session.logInternal(error, 'command failed', command.type)
    if (id !== 0) session.replyError(id, error instanceof PeerError ? error : new PeerError(ErrorReason.internal, ''))
    return true
  }
}
