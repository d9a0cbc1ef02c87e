// What the page knows: the connection, the user, conversations and the profiles it has seen.
// Shared by the page's modules; only app.js changes the connection and conversations.

export const pageSize = 50
/** A user who comes back this soon after leaving (a reload) is not announced. */
export const leaveGraceMs = 8000

export const state = {
  config: { demoSignIn: true, tokenUrl: null, maxMessageBytes: 4000, colors: [] },
  client: null,
  me: null,
  /** @type {Map<string, {id: string, name: string, color: string, initials: string}>} */
  profiles: new Map(),
  /** @type {Map<string, import('./conversation.js').Conversation>} channel → conversation */
  convs: new Map(),
  /** @type {Map<string, {offset: number, epoch: string}>} */
  reads: new Map(),
  current: null,
  everConnected: false,
  started: false,
  /** user id → timer of their typing indicator in the current conversation */
  typing: new Map(),
  typingSentMs: 0,
  readTimers: new Map(),
  loadingOlder: false,
}


/** Called after profiles arrive (app.js re-renders). */
export const profileHooks = { loaded: () => {} }

export function currentConv() {
  return state.current === null ? undefined : state.convs.get(state.current)
}

const wantedProfiles = new Set()
let profileFetch = null

/** Fetches profiles not known yet, batched per tick. */
export function ensureProfiles(ids) {
  for (const id of ids) if (id && !state.profiles.has(id)) wantedProfiles.add(id)
  if (wantedProfiles.size === 0 || profileFetch !== null || !state.client) return
  profileFetch = Promise.resolve().then(async () => {
    const ids = [...wantedProfiles].slice(0, 200)
    ids.forEach((id) => wantedProfiles.delete(id))
    try {
      const { data } = await state.client.rpc('chat.profile.get', { ids })
      for (const profile of data.profiles) state.profiles.set(profile.id, profile)
      profileHooks.loaded()
    } catch {
      // Messages carry the author's name; the page shows that meanwhile.
    } finally {
      profileFetch = null
      if (wantedProfiles.size > 0) ensureProfiles([])
    }
  })
}

export function profileOf(user, fallback) {
  const known = state.profiles.get(user)
  if (known) return known
  const name = fallback?.name || 'Someone'
  return { id: user, name, color: fallback?.color || '#4a5568', initials: initialsOf(name) }
}

export function nameOf(user) {
  return profileOf(user).name
}

export function initialsOf(name) {
  const words = name.split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0][0], words[1][0]] : [...(words[0] ?? '?')].slice(0, 2)
  return letters.join('').toUpperCase()
}

export function titleOf(conv) {
  return conv.kind === 'room' ? `#${conv.title}` : nameOf(conv.id)
}
