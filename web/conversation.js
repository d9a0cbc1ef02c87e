// One room or DM as the page holds it: messages keyed by stream offset, so a publication that
// arrives twice (live and again from recovery or a history page) is kept once, in offset order.

export class Conversation {
  /**
   * @param {{channel: string, kind: 'room'|'dm', id: string, title: string}} init
   */
  constructor(init) {
    this.channel = init.channel
    this.kind = init.kind
    this.id = init.id
    this.title = init.title
    /** @type {Map<number, object>} offset → message */
    this.messages = new Map()
    /** Messages sent from this page, not yet seen in the channel: key → message. */
    this.pending = new Map()
    this.top = 0
    this.epoch = ''
    this.readOffset = 0
    this.readEpoch = ''
    this.hasReadMark = false
    this.oldest = Infinity
    this.hasOlder = true
    this.backlogLoaded = false
    this.subscribedOnce = false
    this.sub = null
    this.typingSub = null
    /** user id → client ids present (rooms). */
    this.presence = new Map()
    this.presenceLoaded = false
    /** Join/leave lines: shown after the message that was last when they happened, never stored. */
    this.notices = []
    this.noticeSeq = 0
    /** user id → timer: a leave not announced yet, in case they come right back */
    this.leaving = new Map()
  }

  /** @param {string} user @param {'joined'|'left'} verb */
  addNotice(user, verb) {
    this.notices.push({ id: ++this.noticeSeq, user, verb, after: this.lastOffset(), ts: Date.now() })
    if (this.notices.length > 20) this.notices.shift()
  }

  /** Adds a publication; returns false when it was already here. */
  add(publication) {
    const offset = publication.offset
    if (typeof offset !== 'number' || offset <= 0) return false
    if (offset > this.top) this.top = offset
    if (this.messages.has(offset)) return false
    const data = publication.data ?? {}
    const message = {
      offset,
      text: typeof data.text === 'string' ? data.text : '',
      user: typeof data.user === 'string' ? data.user : '',
      name: typeof data.name === 'string' ? data.name : '',
      color: typeof data.color === 'string' ? data.color : '',
      ts: typeof data.ts === 'number' ? data.ts : Date.now(),
      key: typeof data.key === 'string' ? data.key : undefined,
    }
    this.messages.set(offset, message)
    if (offset < this.oldest) this.oldest = offset
    if (message.key !== undefined) this.pending.delete(message.key)
    return true
  }

  /** Messages oldest first, then this page's pending ones. */
  list() {
    const sent = [...this.messages.values()].sort((a, b) => a.offset - b.offset)
    return [...sent, ...this.pending.values()]
  }

  lastOffset() {
    let max = 0
    for (const offset of this.messages.keys()) if (offset > max) max = offset
    return max
  }

  unread() {
    if (!this.subscribedOnce) return 0
    if (this.epoch !== '' && this.readEpoch !== '' && this.readEpoch !== this.epoch) return this.top
    return Math.max(0, this.top - this.readOffset)
  }

  /** Forgets loaded messages (after history was lost: the epoch changed). */
  reset() {
    this.messages.clear()
    this.oldest = Infinity
    this.hasOlder = true
    this.backlogLoaded = false
  }
}
