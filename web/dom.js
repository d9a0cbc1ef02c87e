// Small DOM helpers. User text only ever goes in through textContent or attributes.

/** Creates an element: `props` sets properties (text → textContent, on → listeners, attrs). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue
    if (key === 'text') node.textContent = String(value)
    else if (key === 'class') node.className = value
    else if (key === 'on') for (const [type, listener] of Object.entries(value)) node.addEventListener(type, listener)
    else if (key === 'dataset') Object.assign(node.dataset, value)
    else if (key === 'style') for (const [name, v] of Object.entries(value)) node.style.setProperty(name, v)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child)
  return node
}

export function byId(id) {
  const node = document.getElementById(id)
  if (node === null) throw new Error(`missing #${id}`)
  return node
}

/** A round avatar with the profile's initials and colour. */
export function avatar(profile, extraClass = '') {
  return el('span', {
    class: `avatar ${extraClass}`.trim(),
    text: profile?.initials || '?',
    style: { background: safeColor(profile?.color) },
    'aria-hidden': 'true',
  })
}

/** Only #rrggbb colours reach style, whatever a profile says. */
export function safeColor(color) {
  return typeof color === 'string' && /^#[0-9a-f]{6}$/i.test(color) ? color : '#4a5568'
}

export function formatTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

export function formatDay(ms) {
  const day = new Date(ms)
  const today = new Date()
  const yesterday = new Date(today.getTime() - 86_400_000)
  if (day.toDateString() === today.toDateString()) return 'Today'
  if (day.toDateString() === yesterday.toDateString()) return 'Yesterday'
  return day.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric', year: day.getFullYear() === today.getFullYear() ? undefined : 'numeric' })
}

export function toast(text, ms = 4000) {
  const node = el('div', { class: 'toast', text })
  byId('toasts').append(node)
  setTimeout(() => node.remove(), ms)
}
