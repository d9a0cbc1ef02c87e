// Who is here: presence per room (one entry per user, whatever their number of tabs), join and
// leave lines, and typing indicators on the typing:* channels (never stored).
import { renderHeader, renderTyping } from './chrome.js'
import { currentConv, ensureProfiles, leaveGraceMs, state } from './state.js'

/** Set by app.js: re-renders the messages of `conv` when it is in view. */
export const presenceHooks = { rerender: (_conv) => {} }

export async function loadPresence(conv, announce) {
  if (conv.kind !== 'room') return
  try {
    const result = await conv.sub.presence()
    const users = new Map()
    for (const info of Object.values(result.clients ?? {})) {
      if (!users.has(info.user)) users.set(info.user, new Set())
      users.get(info.user).add(info.client)
    }
    setPresence(conv, users, announce)
    conv.presenceLoaded = true
  } catch {
    // Presence is a nicety; the next join/leave or reconnect fills it in.
  }
}

export function onPresenceChange(conv, info, joined) {
  const users = new Map([...conv.presence].map(([user, clients]) => [user, new Set(clients)]))
  if (joined) {
    if (!users.has(info.user)) users.set(info.user, new Set())
    users.get(info.user).add(info.client)
  } else {
    users.get(info.user)?.delete(info.client)
    if (users.get(info.user)?.size === 0) users.delete(info.user)
    stopTyping(info.user)
    // A user's other tabs may still be here: let the server say who is.
    clearTimeout(conv.presenceTimer)
    conv.presenceTimer = setTimeout(() => loadPresence(conv, true), 400)
  }
  setPresence(conv, users, true)
}

function setPresence(conv, users, announce) {
  const before = conv.presence
  conv.presence = users
  if (announce && conv.presenceLoaded) {
    for (const user of users.keys()) {
      if (before.has(user) || user === state.me?.id) continue
      // Back within the grace period (a reload, a dropped connection): neither left nor joined.
      if (conv.leaving.has(user)) {
        clearTimeout(conv.leaving.get(user))
        conv.leaving.delete(user)
      } else {
        conv.addNotice(user, 'joined')
      }
    }
    for (const user of before.keys()) {
      if (users.has(user) || user === state.me?.id || conv.leaving.has(user)) continue
      conv.leaving.set(user, setTimeout(() => {
        conv.leaving.delete(user)
        if (conv.presence.has(user)) return
        conv.addNotice(user, 'left')
        if (state.current === conv.channel) presenceHooks.rerender(conv)
      }, leaveGraceMs))
    }
  }
  ensureProfiles([...users.keys()])
  if (state.current === conv.channel) {
    renderHeader()
    presenceHooks.rerender(conv)
  }
}

function typingChannel(conv) {
  return conv.kind === 'room' ? `typing:${conv.id}` : `typing:${conv.channel.slice('dm:'.length)}`
}

export function watchTyping(conv) {
  for (const timer of state.typing.values()) clearTimeout(timer)
  state.typing.clear()
  renderTyping()
  for (const other of state.convs.values()) {
    if (other.typingSub && other !== conv) {
      other.typingSub.removeAllListeners()
      other.typingSub.unsubscribe()
      state.client.removeSubscription(other.typingSub)
      other.typingSub = null
    }
  }
  if (conv.typingSub) return
  const channel = typingChannel(conv)
  const sub = state.client.getSubscription(channel) ?? state.client.newSubscription(channel)
  sub.on('publication', (ctx) => {
    const user = ctx.info?.user
    if (!user || user === state.me?.id || state.current !== conv.channel) return
    if (ctx.data?.typing) startTyping(user)
    else stopTyping(user)
  })
  conv.typingSub = sub
  sub.subscribe()
}

function startTyping(user) {
  clearTimeout(state.typing.get(user))
  state.typing.set(user, setTimeout(() => stopTyping(user), 5000))
  ensureProfiles([user])
  renderTyping()
}

export function stopTyping(user) {
  if (!state.typing.has(user)) return
  clearTimeout(state.typing.get(user))
  state.typing.delete(user)
  renderTyping()
}

export function sendTyping() {
  const conv = currentConv()
  if (!conv?.typingSub || conv.typingSub.state !== 'subscribed') return
  const now = Date.now()
  if (now - state.typingSentMs < 2500) return
  state.typingSentMs = now
  conv.typingSub.publish({ typing: true }).catch(() => {})
}
