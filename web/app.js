// Sprocket chat: the page. Talks to the server through the centrifuge client (loaded by
// index.html as a global) — RPCs for everything that changes state, subscriptions for
// everything live. User-provided text is only ever set with textContent.
import { chromeHooks, closeSidebar, hideBanner, renderEmpty, renderHeader, renderMe, renderSidebar, renderTyping, setStatus, showBanner } from './chrome.js'
import { Conversation } from './conversation.js'
import { dialogHooks, openBrowse, openDm } from './dialogs.js'
import { byId, toast } from './dom.js'
import { isAtBottom, renderMessages, resetMessageView } from './messages.js'
import { loadPresence, onPresenceChange, presenceHooks, sendTyping, stopTyping, watchTyping } from './presence.js'
import { fetchSiteToken, findToken, showSignIn, signInHooks, signOut, tokenKey } from './sign-in.js'
import { currentConv, ensureProfiles, pageSize, profileHooks, profileOf, state, titleOf } from './state.js'

function start(token) {
  const Centrifuge = globalThis.Centrifuge
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const options = { token, minReconnectDelay: 300, maxReconnectDelay: 5000, name: 'sprocket-chat' }
  if (state.config.tokenUrl) options.getToken = fetchSiteToken
  const client = new Centrifuge(`${scheme}://${location.host}/connection/websocket`, options)
  state.client = client

  client.on('connecting', () => {
    setStatus('Connecting…', false)
    if (state.everConnected) showBanner('Connection lost. Reconnecting…')
  })
  client.on('connected', () => {
    setStatus('Online', true)
    if (state.everConnected) showBanner('Reconnected.', true)
    else hideBanner()
    state.everConnected = true
    if (!state.started) loadState().catch((error) => toast(`Could not load the chat: ${error.message ?? error}`))
    else resync().catch(() => {})
  })
  client.on('disconnected', (ctx) => {
    setStatus('Offline', false)
    if ([1, 101, 109, 3500].includes(ctx.code)) {
      localStorage.removeItem(tokenKey)
      if (state.config.tokenUrl) showBanner('Your session ended. Sign in on the site again.')
      else signOut('Your session ended. Sign in again to continue.')
      return
    }
    if (ctx.code !== 0) showBanner(`Disconnected: ${ctx.reason || 'the server closed the connection'}. Reload the page to try again.`)
  })
  // Server-side subscription: the user's personal channel.
  client.on('publication', (ctx) => {
    if (state.me !== null && ctx.channel === `#${state.me.id}`) onPersonalEvent(ctx.data)
  })
  client.connect()
}

/**
 * After a reconnect: events on the personal channel are not kept while a page is away, so ask
 * again which rooms and DMs are ours (another tab may have joined, left or been messaged).
 */
async function resync() {
  const { data } = await state.client.rpc('chat.state', {})
  for (const profile of data.profiles) state.profiles.set(profile.id, profile)
  const rooms = new Set(data.rooms.map((room) => `rooms:${room.id}`))
  for (const conv of [...state.convs.values()]) if (conv.kind === 'room' && !rooms.has(conv.channel)) forget(conv)
  for (const room of data.rooms) addRoom(room)
  for (const dm of data.dms) addDm(dm)
  renderAll()
}

async function loadState() {
  const { data } = await state.client.rpc('chat.state', {})
  state.started = true
  state.me = data.me
  for (const profile of data.profiles) state.profiles.set(profile.id, profile)
  for (const mark of data.reads) state.reads.set(mark.channel, mark)
  for (const room of data.rooms) addRoom(room)
  for (const dm of data.dms) addDm(dm)
  subscribeLobby()
  byId('signin').hidden = true
  byId('app').hidden = false
  renderMe()
  const fromHash = conversationFromHash()
  const first = fromHash ?? [...state.convs.values()].find((conv) => conv.kind === 'room') ?? [...state.convs.values()][0]
  if (first) select(first.channel)
  else renderEmpty()
}

// ---------------------------------------------------------------- conversations

function addRoom(room) {
  const channel = `rooms:${room.id}`
  if (state.convs.has(channel)) return state.convs.get(channel)
  const conv = new Conversation({ channel, kind: 'room', id: room.id, title: room.title })
  return track(conv)
}

function addDm(dm) {
  if (state.convs.has(dm.channel)) return state.convs.get(dm.channel)
  const conv = new Conversation({ channel: dm.channel, kind: 'dm', id: dm.peer, title: '' })
  conv.lastMs = dm.lastMs ?? 0
  ensureProfiles([dm.peer])
  return track(conv)
}

function track(conv) {
  const mark = state.reads.get(conv.channel)
  if (mark) {
    conv.readOffset = mark.offset
    conv.readEpoch = mark.epoch
    conv.hasReadMark = true
  }
  state.convs.set(conv.channel, conv)
  subscribe(conv)
  renderSidebar()
  return conv
}

function subscribe(conv) {
  const client = state.client
  const sub = client.getSubscription(conv.channel) ?? client.newSubscription(conv.channel, { joinLeave: conv.kind === 'room', recoverable: true, positioned: true })
  conv.sub = sub
  sub.on('subscribed', (ctx) => onSubscribed(conv, ctx))
  sub.on('publication', (ctx) => onPublication(conv, ctx))
  sub.on('join', (ctx) => onPresenceChange(conv, ctx.info, true))
  sub.on('leave', (ctx) => onPresenceChange(conv, ctx.info, false))
  sub.on('unsubscribed', (ctx) => {
    if (ctx.code >= 100 && state.convs.get(conv.channel) === conv) toast(`Left ${titleOf(conv)}: ${ctx.reason}`)
  })
  sub.subscribe()
}

function forget(conv) {
  state.convs.delete(conv.channel)
  if (conv.sub) {
    conv.sub.removeAllListeners()
    conv.sub.unsubscribe()
    state.client.removeSubscription(conv.sub)
  }
  if (state.current === conv.channel) {
    state.current = null
    const next = [...state.convs.values()][0]
    if (next) select(next.channel)
    else renderEmpty()
  }
  renderSidebar()
}

function onSubscribed(conv, ctx) {
  const position = ctx.streamPosition
  if (position) {
    if (conv.epoch !== '' && position.epoch !== conv.epoch) conv.reset()
    conv.epoch = position.epoch
    if (position.offset > conv.top) conv.top = position.offset
  }
  if (!conv.subscribedOnce) {
    conv.subscribedOnce = true
    // A room joined without a read mark starts read; a conversation someone opened with us starts unread.
    if (!conv.hasReadMark) {
      conv.readOffset = conv.kind === 'room' ? conv.top : 0
      conv.readEpoch = conv.epoch
      conv.hasReadMark = true
      if (conv.kind === 'room') saveReadMark(conv)
    }
  } else if (ctx.wasRecovering && !ctx.recovered) {
    // Too much was missed to replay: load the latest page afresh.
    conv.reset()
  }
  if (state.current === conv.channel) {
    if (!conv.backlogLoaded) loadBacklog(conv)
    loadPresence(conv, conv.presenceLoaded)
    renderHeader()
  }
  renderSidebar()
}

function onPublication(conv, ctx) {
  if (!conv.add(ctx)) return
  const message = conv.messages.get(ctx.offset)
  if (message && !state.profiles.has(message.user)) ensureProfiles([message.user])
  if (message) stopTyping(message.user)
  if (conv.kind === 'dm') conv.lastMs = Date.now()
  if (state.current === conv.channel) {
    const stick = isAtBottom() || message?.user === state.me?.id
    renderMessages(conv, viewContext(), { stick })
    markRead(conv)
  }
  renderSidebar()
}

async function loadBacklog(conv) {
  try {
    await conv.sub.ready(10_000)
    const result = await conv.sub.history({ limit: pageSize, reverse: true })
    if (conv.epoch !== '' && result.epoch !== conv.epoch) conv.reset()
    conv.epoch = result.epoch
    if (result.offset > conv.top) conv.top = result.offset
    for (const publication of result.publications) conv.add(publication)
    conv.backlogLoaded = true
    const oldest = Math.min(...result.publications.map((p) => p.offset), Infinity)
    conv.hasOlder = result.publications.length === pageSize && oldest > 1
    ensureProfiles([...conv.messages.values()].map((m) => m.user))
    if (state.current === conv.channel) {
      renderMessages(conv, viewContext(), { stick: true })
      markRead(conv)
    }
  } catch (error) {
    if (state.current === conv.channel) toast(`Could not load messages: ${error.message ?? error}`)
  }
}

async function loadOlder() {
  const conv = currentConv()
  if (!conv || !conv.hasOlder || !conv.backlogLoaded || state.loadingOlder) return
  if (!Number.isFinite(conv.oldest)) return
  state.loadingOlder = true
  try {
    // The page before `oldest`, read forwards from just below it: offsets are gap-free within an
    // epoch, so this is exactly [oldest - 50, oldest - 1] while history still holds them.
    const from = Math.max(0, conv.oldest - 1 - pageSize)
    const limit = conv.oldest - 1 - from
    const result = await conv.sub.history({ limit, since: { offset: from, epoch: conv.epoch } })
    for (const publication of result.publications) conv.add(publication)
    const first = Math.min(...result.publications.map((p) => p.offset), Infinity)
    // Nothing older is left when we reached offset 1, or history no longer holds what we asked for.
    conv.hasOlder = from > 0 && first === from + 1
    ensureProfiles(result.publications.map((p) => p.data?.user).filter(Boolean))
    if (state.current === conv.channel) renderMessages(conv, viewContext(), { keepTop: true })
  } catch (error) {
    toast(`Could not load older messages: ${error.message ?? error}`)
  } finally {
    state.loadingOlder = false
  }
}

// ---------------------------------------------------------------- events from the server

function onPersonalEvent(event) {
  if (!event || typeof event !== 'object') return
  if (event.type === 'dm' && event.dm) {
    if (event.profile) state.profiles.set(event.profile.id, event.profile)
    addDm(event.dm)
  } else if (event.type === 'joined' && event.room) {
    addRoom(event.room)
  } else if (event.type === 'left' && typeof event.roomId === 'string') {
    const conv = state.convs.get(`rooms:${event.roomId}`)
    if (conv) forget(conv)
  }
}

function subscribeLobby() {
  const sub = state.client.getSubscription('lobby:events') ?? state.client.newSubscription('lobby:events', { recoverable: true, positioned: true })
  sub.on('publication', (ctx) => {
    const event = ctx.data
    if (event?.type === 'profile' && event.profile) {
      state.profiles.set(event.profile.id, event.profile)
      if (event.profile.id === state.me?.id) state.me = event.profile
      renderAll()
    } else if (event?.type === 'room' && byId('browse-dialog').open) {
      openBrowse()
    }
  })
  sub.subscribe()
}

// ---------------------------------------------------------------- reading

function markRead(conv) {
  if (state.current !== conv.channel || document.visibilityState !== 'visible' || !isAtBottom()) return
  if (conv.readOffset >= conv.top && conv.readEpoch === conv.epoch) return
  conv.readOffset = conv.top
  conv.readEpoch = conv.epoch
  renderSidebar()
  saveReadMark(conv)
}

/** Stores the conversation's read mark on the server, debounced per channel. */
function saveReadMark(conv) {
  clearTimeout(state.readTimers.get(conv.channel))
  document.body.dataset.readMarks = 'pending'
  state.readTimers.set(conv.channel, setTimeout(async () => {
    try {
      await state.client.rpc('chat.read.mark', { channel: conv.channel, offset: conv.readOffset, epoch: conv.readEpoch })
    } catch {
      // The next read mark carries this one too (marks only move forward).
    }
    state.readTimers.delete(conv.channel)
    if (state.readTimers.size === 0) document.body.dataset.readMarks = 'saved'
  }, 500))
}

document.addEventListener('visibilitychange', () => {
  const conv = currentConv()
  if (conv) markRead(conv)
})

// ---------------------------------------------------------------- sending

/**
 * Shows the message as pending and delivers it. Returns false at once when it cannot be sent (the
 * text stays in the composer), else the delivery's promise.
 */
function sendMessage(text) {
  const conv = currentConv()
  if (!conv) return false
  if (new TextEncoder().encode(text).length > state.config.maxMessageBytes) {
    toast(`That message is too long (at most ${state.config.maxMessageBytes} bytes).`)
    return false
  }
  // Others stop showing us as typing when the message arrives; typing again should show at once.
  state.typingSentMs = 0
  const key = crypto.randomUUID().replace(/-/g, '')
  const pending = { key, text, user: state.me.id, ts: Date.now(), pending: true, failed: false }
  conv.pending.set(key, pending)
  renderMessages(conv, viewContext(), { stick: true })
  return deliver(conv, pending)
}

async function deliver(conv, pending) {
  pending.failed = false
  try {
    await state.client.rpc('chat.send', { channel: conv.channel, text: pending.text, key: pending.key })
  } catch (error) {
    if (!conv.pending.has(pending.key)) return
    pending.failed = true
    pending.error = error.code === 111 ? 'Sending too fast — wait a moment.' : error.code === 106 ? 'Too long.' : 'Not sent.'
  }
  if (state.current === conv.channel) renderMessages(conv, viewContext(), { stick: isAtBottom() })
}

function retry(key) {
  const conv = currentConv()
  const pending = conv?.pending.get(key)
  if (pending) deliver(conv, pending)
}

function discard(key) {
  const conv = currentConv()
  if (!conv) return
  conv.pending.delete(key)
  renderMessages(conv, viewContext(), {})
}

const input = byId('composer-input')
byId('composer').addEventListener('submit', async (event) => {
  event.preventDefault()
  const text = input.value.trim()
  if (text === '' || !currentConv()) return
  const delivery = sendMessage(text)
  if (delivery === false) return
  // Cleared now, not after the round trip: the next message may already be typed by then.
  input.value = ''
  autosize()
  await delivery
})
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault()
    byId('composer').requestSubmit()
  }
})
input.addEventListener('input', () => {
  autosize()
  if (input.value.trim() !== '') sendTyping()
})

function autosize() {
  input.style.height = 'auto'
  input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`
}

// ---------------------------------------------------------------- selection and rendering

function select(channel) {
  const conv = state.convs.get(channel)
  if (!conv) return
  const changed = state.current !== channel
  state.current = channel
  history.replaceState(null, '', conv.kind === 'room' ? `#room/${conv.id}` : `#dm/${conv.id}`)
  closeSidebar()
  if (changed) {
    resetMessageView()
    watchTyping(conv)
    if (conv.sub?.state === 'subscribed') {
      if (!conv.backlogLoaded) loadBacklog(conv)
      loadPresence(conv, false)
    }
  }
  renderAll({ stick: true })
  markRead(conv)
  if (matchMedia('(min-width: 761px)').matches) input.focus()
}

function conversationFromHash() {
  const match = /^#(room|dm)\/(.+)$/.exec(location.hash)
  if (!match) return undefined
  const [, kind, id] = match
  return [...state.convs.values()].find((conv) => conv.kind === kind && conv.id === decodeURIComponent(id))
}

function viewContext() {
  return { me: state.me, profileOf, retry, discard, loadOlder, title: currentConv() ? titleOf(currentConv()) : '' }
}

function renderAll(options = {}) {
  renderMe()
  renderSidebar()
  renderHeader()
  const conv = currentConv()
  if (conv) renderMessages(conv, viewContext(), { stick: options.stick ?? isAtBottom() })
  renderTyping()
}

byId('messages').addEventListener('scroll', () => {
  const messages = byId('messages')
  if (messages.scrollTop < 80) loadOlder()
  const conv = currentConv()
  if (conv && isAtBottom()) markRead(conv)
}, { passive: true })
byId('load-older').addEventListener('click', () => loadOlder())

byId('signout').addEventListener('click', () => signOut())

// Links to `#room/<id>` and `#dm/<userId>` open that conversation.
window.addEventListener('hashchange', () => {
  const conv = conversationFromHash()
  if (conv && conv.channel !== state.current) select(conv.channel)
})

// Opening a DM from a message author or the online list.
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-dm]') : null
  if (!target || !state.me) return
  const user = target.dataset.dm
  if (user && user !== state.me.id) openDm(profileOf(user))
})

chromeHooks.select = select
presenceHooks.rerender = (conv) => {
  if (state.current === conv.channel) renderMessages(conv, viewContext(), { stick: isAtBottom() })
}
profileHooks.loaded = () => renderAll()
signInHooks.signedIn = start
Object.assign(dialogHooks, { addRoom, addDm, select, forget, renderAll })

findToken().then((token) => (token ? start(token) : showSignIn()))
