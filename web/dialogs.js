// The dialogs: profile, create a room, browse rooms, new direct message; and leaving a room.
import { avatar, byId, el, safeColor, toast } from './dom.js'
import { currentConv, initialsOf, state } from './state.js'

const colorNames = ['Blue', 'Teal', 'Green', 'Amber', 'Orange', 'Pink', 'Purple', 'Slate', 'Sky', 'Red']

/** What the dialogs need of the page: set by app.js before any dialog opens. */
export const dialogHooks = {
  addRoom: (_room) => undefined,
  addDm: (_dm) => undefined,
  select: (_channel) => {},
  forget: (_conv) => {},
  renderAll: () => {},
}


for (const button of document.querySelectorAll('dialog [data-close]')) {
  button.addEventListener('click', () => button.closest('dialog').close())
}

byId('me-button').addEventListener('click', () => {
  const me = state.profiles.get(state.me.id) ?? state.me
  byId('profile-name').value = me.name
  byId('profile-initials').value = me.initials
  byId('profile-error').textContent = ''
  const colors = state.config.colors?.length ? state.config.colors : [me.color]
  byId('profile-colors').replaceChildren(
    ...colors.map((color, i) =>
      el(
        'label',
        { class: 'swatch', title: colorNames[i] ?? color },
        el('input', { type: 'radio', name: 'color', value: color, 'aria-label': colorNames[i] ?? color, checked: color === me.color, on: { change: previewProfile } }),
        el('span', { style: { background: safeColor(color) } }),
      ),
    ),
  )
  previewProfile()
  byId('profile-dialog').showModal()
})

function previewProfile() {
  const color = document.querySelector('#profile-colors input:checked')?.value ?? state.me.color
  const initials = byId('profile-initials').value.trim().toUpperCase() || initialsOf(byId('profile-name').value || '?')
  byId('profile-preview').replaceWith(Object.assign(avatar({ initials, color }, 'avatar-large'), { id: 'profile-preview' }))
}
byId('profile-initials').addEventListener('input', previewProfile)
byId('profile-name').addEventListener('input', () => {
  byId('profile-initials').value = initialsOf(byId('profile-name').value || '?')
  previewProfile()
})

byId('profile-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const update = {
    name: byId('profile-name').value,
    initials: byId('profile-initials').value,
  }
  const color = document.querySelector('#profile-colors input:checked')?.value
  if (color) update.color = color
  try {
    const { data } = await state.client.rpc('chat.profile.update', update)
    state.me = data.profile
    state.profiles.set(data.profile.id, data.profile)
    dialogHooks.renderAll()
    byId('profile-dialog').close()
  } catch (error) {
    byId('profile-error').textContent = error.code === 107 ? 'Use 1–40 characters for the name and 1–2 letters or digits for initials.' : `Could not save: ${error.message}`
  }
})

byId('create-room').addEventListener('click', () => {
  byId('room-title').value = ''
  byId('room-error').textContent = ''
  byId('room-dialog').showModal()
})

byId('room-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  try {
    const { data } = await state.client.rpc('chat.rooms.create', { title: byId('room-title').value })
    const conv = dialogHooks.addRoom(data.room)
    byId('room-dialog').close()
    dialogHooks.select(conv.channel)
  } catch (error) {
    byId('room-error').textContent = error.code === 111 ? 'You have created many rooms lately; try again later.' : error.code === 107 ? 'Use 1–40 characters.' : `Could not create the room: ${error.message}`
  }
})

byId('browse-rooms').addEventListener('click', openBrowse)

export async function openBrowse() {
  const dialog = byId('browse-dialog')
  try {
    const { data } = await state.client.rpc('chat.rooms.list', {})
    byId('browse-list').replaceChildren(
      ...data.rooms.map((room) =>
        el(
          'li',
          {},
          el('span', { class: 'pick-name' }, el('span', { text: `#${room.title}` }), el('br'), el('span', { class: 'pick-sub', text: `${room.members} member${room.members === 1 ? '' : 's'}` })),
          el('button', {
            type: 'button',
            class: room.joined ? 'ghost small' : 'primary small',
            text: room.joined ? 'Open' : 'Join',
            'aria-label': `${room.joined ? 'Open' : 'Join'} #${room.title}`,
            on: { click: () => joinRoom(room) },
          }),
        ),
      ),
    )
    if (!dialog.open) dialog.showModal()
  } catch (error) {
    toast(`Could not list rooms: ${error.message}`)
  }
}

async function joinRoom(room) {
  try {
    if (!room.joined) {
      const { data } = await state.client.rpc('chat.rooms.join', { roomId: room.id })
      room = data.room
    }
    const conv = dialogHooks.addRoom(room)
    byId('browse-dialog').close()
    dialogHooks.select(conv.channel)
  } catch (error) {
    toast(`Could not join: ${error.message}`)
  }
}

byId('leave-room').addEventListener('click', async () => {
  const conv = currentConv()
  if (!conv || conv.kind !== 'room') return
  try {
    await state.client.rpc('chat.rooms.leave', { roomId: conv.id })
    dialogHooks.forget(conv)
  } catch (error) {
    toast(`Could not leave: ${error.message}`)
  }
})

byId('new-dm').addEventListener('click', () => {
  byId('dm-search').value = ''
  searchPeople()
  byId('dm-dialog').showModal()
})

let searchTimer = null
byId('dm-search').addEventListener('input', () => {
  clearTimeout(searchTimer)
  searchTimer = setTimeout(searchPeople, 200)
})

async function searchPeople() {
  try {
    const { data } = await state.client.rpc('chat.users.search', { query: byId('dm-search').value })
    const list = byId('dm-results')
    if (data.profiles.length === 0) {
      list.replaceChildren(el('li', { class: 'empty', text: 'Nobody found.' }))
      return
    }
    list.replaceChildren(
      ...data.profiles.map((profile) =>
        el(
          'li',
          {},
          avatar(profile),
          el('span', { class: 'pick-name', text: profile.name }),
          el('button', { type: 'button', class: 'primary small', text: 'Message', 'aria-label': `Message ${profile.name}`, on: { click: () => openDm(profile) } }),
        ),
      ),
    )
  } catch (error) {
    toast(`Could not search: ${error.message}`)
  }
}

/** Opens (creating if needed) the DM with `profile`'s user and shows it. */
export async function openDm(profile) {
  try {
    const { data } = await state.client.rpc('chat.dm.open', { userId: profile.id })
    state.profiles.set(data.peer.id, data.peer)
    const conv = dialogHooks.addDm(data.dm)
    byId('dm-dialog').close()
    dialogHooks.select(conv.channel)
  } catch (error) {
    toast(`Could not open the conversation: ${error.message}`)
  }
}
