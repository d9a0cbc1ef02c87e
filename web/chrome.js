// The page around the messages: sidebar, header, connection banner and status, typing line,
// and the sidebar sliding over the chat on phones.
import { avatar, byId, el } from './dom.js'
import { isAtBottom, resetMessageView } from './messages.js'
import { currentConv, nameOf, profileOf, state, titleOf } from './state.js'

/** Set by app.js: what a click on a conversation in the sidebar does. */
export const chromeHooks = { select: (_channel) => {} }

export function renderMe() {
  if (!state.me) return
  const me = state.profiles.get(state.me.id) ?? state.me
  byId('me-avatar').replaceWith(Object.assign(avatar(me), { id: 'me-avatar' }))
  byId('me-name').textContent = me.name
}

let bannerTimer = null

export function showBanner(text, ok = false) {
  const banner = byId('banner')
  clearTimeout(bannerTimer)
  banner.textContent = text
  banner.classList.toggle('ok', ok)
  banner.hidden = false
  if (ok) bannerTimer = setTimeout(hideBanner, 2500)
}

export function hideBanner() {
  clearTimeout(bannerTimer)
  byId('banner').hidden = true
}

export function setStatus(text, online) {
  const status = byId('me-status')
  status.textContent = text
  status.classList.toggle('online', online)
}

export function renderSidebar() {
  const rooms = [...state.convs.values()].filter((c) => c.kind === 'room').sort((a, b) => a.title.localeCompare(b.title))
  const dms = [...state.convs.values()].filter((c) => c.kind === 'dm').sort((a, b) => (b.lastMs ?? 0) - (a.lastMs ?? 0))
  byId('room-list').replaceChildren(...rooms.map(convItem))
  byId('dm-list').replaceChildren(...dms.map(convItem))
  byId('dm-empty').hidden = dms.length > 0
  let total = 0
  let elsewhere = 0
  for (const conv of state.convs.values()) {
    const n = conv.unread()
    total += n
    if (conv.channel !== state.current) elsewhere += n
  }
  byId('menu-badge').hidden = elsewhere === 0
  const conv = currentConv()
  document.title = `${total > 0 ? `(${total}) ` : ''}${conv ? `${titleOf(conv)} · ` : ''}Sprocket chat`
}

function convItem(conv) {
  const unread = conv.channel === state.current && isAtBottom() ? 0 : conv.unread()
  const title = titleOf(conv)
  const icon = conv.kind === 'room' ? el('span', { class: 'hash', text: '#', 'aria-hidden': 'true' }) : avatar(profileOf(conv.id), 'avatar-small')
  const button = el(
    'button',
    {
      type: 'button',
      class: `conv${unread > 0 ? ' unread' : ''}`,
      'aria-current': conv.channel === state.current ? 'true' : 'false',
      'aria-label': unread > 0 ? `${title}, ${unread} unread` : title,
      dataset: { channel: conv.channel },
      on: { click: () => chromeHooks.select(conv.channel) },
    },
    icon,
    el('span', { class: 'conv-name', text: conv.kind === 'room' ? conv.title : title }),
    unread > 0 ? el('span', { class: 'badge', text: unread > 99 ? '99+' : String(unread), 'aria-hidden': 'true' }) : null,
  )
  return el('li', {}, button)
}

export function renderHeader() {
  const conv = currentConv()
  if (!conv) return
  byId('chat-title').textContent = titleOf(conv)
  byId('composer-label').textContent = `Message ${titleOf(conv)}`
  byId('composer-input').placeholder = `Message ${titleOf(conv)}`
  byId('leave-room').hidden = conv.kind !== 'room'
  const online = byId('online')
  if (conv.kind === 'room') {
    const users = [...conv.presence.keys()].map((id) => profileOf(id)).sort((a, b) => a.name.localeCompare(b.name))
    const names = users.map((p) => p.name)
    byId('chat-sub').textContent = users.length === 0 ? 'Nobody else here yet' : `${users.length} online: ${names.join(', ')}`
    online.replaceChildren(
      ...users.slice(0, 5).map((p) => {
        const node = avatar(p, 'avatar-small')
        node.title = p.name
        node.dataset.user = p.id
        node.dataset.dm = p.id
        return node
      }),
      ...(users.length > 5 ? [el('span', { class: 'more', text: `+${users.length - 5}` })] : []),
    )
    online.setAttribute('aria-label', names.length === 0 ? 'Nobody online' : `Online: ${names.join(', ')}`)
    online.hidden = users.length === 0
  } else {
    byId('chat-sub').textContent = 'Direct message'
    online.replaceChildren()
    online.hidden = true
  }
}

export function renderTyping() {
  const names = [...state.typing.keys()].map(nameOf)
  byId('typing').textContent =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…'
}

export function renderEmpty() {
  byId('chat-title').textContent = 'No conversations'
  byId('chat-sub').textContent = 'Create or join a room to start.'
  resetMessageView()
}

// ---------------------------------------------------------------- sidebar on phones

export function openSidebar() {
  byId('app').classList.add('sidebar-open')
  byId('scrim').hidden = false
}
export function closeSidebar() {
  byId('app').classList.remove('sidebar-open')
  byId('scrim').hidden = true
}
byId('open-sidebar').addEventListener('click', openSidebar)
byId('close-sidebar').addEventListener('click', closeSidebar)
byId('scrim').addEventListener('click', closeSidebar)
