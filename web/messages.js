// The message list of the conversation in view. Rendering is keyed: each message, day divider
// and notice has a key and a "shape"; only items whose shape changed are rebuilt, and nodes are
// moved into offset order, so live messages, recovered ones and older pages all land in place.
import { avatar, byId, el, formatDay, formatTime } from './dom.js'

const groupGapMs = 5 * 60_000
/** key → { shape, node } for the conversation in view. */
let cache = new Map()

export function resetMessageView() {
  cache = new Map()
  byId('message-list').replaceChildren()
  byId('older').hidden = true
}

export function isAtBottom() {
  const box = byId('messages')
  return box.scrollHeight - box.scrollTop - box.clientHeight < 48
}

export function scrollToBottom() {
  const box = byId('messages')
  box.scrollTop = box.scrollHeight
}

/**
 * @param {import('./conversation.js').Conversation} conv
 * @param {{me: object, profileOf: Function, retry: Function, discard: Function, title: string}} view
 * @param {{stick?: boolean, keepTop?: boolean}} options stick: stay at the bottom; keepTop: keep
 *   the first visible message in place (older messages were added above it)
 */
export function renderMessages(conv, view, options = {}) {
  const box = byId('messages')
  const list = byId('message-list')
  const heightBefore = box.scrollHeight
  const topBefore = box.scrollTop

  const items = buildItems(conv, view)
  const keep = new Set()
  let cursor = list.firstChild
  for (const item of items) {
    keep.add(item.key)
    let entry = cache.get(item.key)
    if (entry === undefined || entry.shape !== item.shape) {
      const node = item.build()
      node.dataset.key = item.key
      if (entry !== undefined) {
        if (entry.node === cursor) cursor = cursor.nextSibling
        entry.node.remove()
      }
      entry = { shape: item.shape, node }
      cache.set(item.key, entry)
    }
    if (entry.node === cursor) cursor = cursor.nextSibling
    else list.insertBefore(entry.node, cursor)
  }
  for (const [key, entry] of cache) {
    if (!keep.has(key)) {
      entry.node.remove()
      cache.delete(key)
    }
  }

  byId('older').hidden = !(conv.backlogLoaded && conv.hasOlder && conv.messages.size > 0)
  if (options.keepTop) box.scrollTop = topBefore + (box.scrollHeight - heightBefore)
  else if (options.stick) box.scrollTop = box.scrollHeight
}

function buildItems(conv, view) {
  const entries = []
  for (const message of conv.messages.values()) entries.push({ sort: message.offset, message })
  for (const notice of conv.notices) entries.push({ sort: notice.after + 0.5 + notice.id / 1e6, notice })
  for (const message of conv.pending.values()) entries.push({ sort: Infinity, message })
  entries.sort((a, b) => a.sort - b.sort)

  const items = []
  if (conv.backlogLoaded && conv.messages.size === 0 && conv.pending.size === 0) {
    items.push({
      key: 'empty',
      shape: view.title,
      build: () => el('li', { class: 'empty-room', text: conv.kind === 'room' ? `This is the start of ${view.title}. Say hello!` : `This is the start of your conversation with ${view.title}.` }),
    })
  }
  let previous = null
  let previousDay = ''
  for (const entry of entries) {
    const ts = entry.notice ? entry.notice.ts : entry.message.ts
    const day = new Date(ts).toDateString()
    if (day !== previousDay) {
      const label = formatDay(ts)
      items.push({ key: `d:${day}`, shape: label, build: () => el('li', { class: 'day', text: label, role: 'separator' }) })
      previousDay = day
      previous = null
    }
    if (entry.notice) {
      const notice = entry.notice
      const text = `${view.profileOf(notice.user).name} ${notice.verb}`
      items.push({ key: `n:${notice.id}`, shape: text, build: () => el('li', { class: 'notice', text }) })
      previous = null
      continue
    }
    const message = entry.message
    const head = previous === null || previous.user !== message.user || message.ts - previous.ts > groupGapMs
    const author = view.profileOf(message.user, message)
    const key = message.offset ? `m:${message.offset}` : `p:${message.key}`
    const status = message.pending ? (message.failed ? `failed:${message.error}` : 'pending') : 'sent'
    items.push({
      key,
      shape: [head, author.name, author.color, author.initials, status, formatTime(message.ts)].join('|'),
      build: () => messageNode(message, author, head, view),
    })
    previous = message
  }
  return items
}

function messageNode(message, author, head, view) {
  const classes = ['msg', head ? 'head' : 'cont']
  if (message.pending) classes.push(message.failed ? 'failed' : 'pending')
  const time = new Date(message.ts)
  const node = el('li', { class: classes.join(' '), dataset: message.offset ? { offset: String(message.offset), user: message.user } : { user: message.user } })
  if (head) {
    const picture = avatar(author)
    if (message.user !== view.me?.id) picture.dataset.dm = message.user
    node.append(
      picture,
      el(
        'div',
        { class: 'msg-meta' },
        el('span', { class: 'msg-author', text: author.name, dataset: message.user !== view.me?.id ? { dm: message.user } : {}, title: message.user !== view.me?.id ? `Message ${author.name}` : undefined }),
        el('time', { class: 'msg-time', datetime: time.toISOString(), title: time.toLocaleString(), text: formatTime(message.ts) }),
      ),
    )
  } else {
    node.title = time.toLocaleString()
  }
  node.append(el('p', { class: 'msg-text', text: message.text }))
  if (message.pending && message.failed) {
    node.append(
      el(
        'div',
        { class: 'msg-retry' },
        el('span', { text: `${message.error} ` }),
        el('button', { type: 'button', class: 'link-button', text: 'Retry', on: { click: () => view.retry(message.key) } }),
        el('button', { type: 'button', class: 'link-button', text: 'Discard', on: { click: () => view.discard(message.key) } }),
      ),
    )
  }
  return node
}
