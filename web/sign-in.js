// Getting a connection token: a `?token=` link, the site's `chat.tokenUrl`, the stored one, or
// demo sign-in with a display name (POST /chat/signin).
import { byId } from './dom.js'
import { state } from './state.js'

export const tokenKey = 'sprocket.chat.token'
const signoutNoteKey = 'sprocket.chat.signout'

/** Called with the token once the user has signed in through the form. */
export const signInHooks = { signedIn: (_token) => {} }

/** Loads `/chat/config` into `state.config`, then finds a token without asking the user; null if none. */
export async function findToken() {
  try {
    const response = await fetch('/chat/config', { headers: { accept: 'application/json' } })
    if (response.ok) state.config = { ...state.config, ...(await response.json()) }
  } catch {
    // The defaults in state.js still let a demo user sign in once the server answers.
  }
  return tokenFromUrl() ?? (state.config.tokenUrl ? await fetchSiteToken().catch(() => null) : null) ?? localStorage.getItem(tokenKey)
}

/** Production sign-in by link: `/?token=…` (the token is then removed from the address bar). */
function tokenFromUrl() {
  const url = new URL(location.href)
  const token = url.searchParams.get('token')
  if (!token) return null
  url.searchParams.delete('token')
  history.replaceState(null, '', url.pathname + url.search + url.hash)
  localStorage.setItem(tokenKey, token)
  return token
}

/** Production sign-in by the site's session: `chat.tokenUrl` answers `{ token }` to a signed-in user. */
export async function fetchSiteToken() {
  const response = await fetch(state.config.tokenUrl, { credentials: 'include', headers: { accept: 'application/json' } })
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`)
  const body = await response.json()
  if (typeof body.token !== 'string') throw new Error('token endpoint sent no token')
  return body.token
}

/** Shows the sign-in card, with `message` (or the reason of the last sign-out) as its error line. */
export function showSignIn(message) {
  byId('app').hidden = true
  byId('signin').hidden = false
  const form = byId('signin-form')
  if (!state.config.demoSignIn) {
    byId('signin-hint').textContent = 'Sign in on the site to chat: this server only accepts accounts from it.'
    for (const id of ['signin-name', 'signin-submit']) byId(id).hidden = true
    form.querySelector('label').hidden = true
  }
  const farewell = sessionStorage.getItem(signoutNoteKey)
  sessionStorage.removeItem(signoutNoteKey)
  byId('signin-error').textContent = message ?? farewell ?? ''
  byId('signin-name').focus()
}

byId('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const name = byId('signin-name').value.trim()
  if (name === '') return
  const button = byId('signin-submit')
  button.disabled = true
  byId('signin-error').textContent = ''
  try {
    const response = await fetch('/chat/signin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
    const body = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(body.error ?? `sign-in failed (${response.status})`)
    localStorage.setItem(tokenKey, body.token)
    byId('signin').hidden = true
    signInHooks.signedIn(body.token)
  } catch (error) {
    byId('signin-error').textContent = error.message
  } finally {
    button.disabled = false
  }
})

/** Forgets the token and starts over at the sign-in card (showing `message` there). */
export function signOut(message) {
  localStorage.removeItem(tokenKey)
  if (state.client) state.client.disconnect()
  if (message) sessionStorage.setItem(signoutNoteKey, message)
  location.replace(location.pathname)
}
