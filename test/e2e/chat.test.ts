import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Centrifuge } from 'centrifuge'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import WebSocket from 'ws'
import { chromiumOptions, startChatServer, type ChatServer } from './chat-harness.js'

const waitMs = 10_000

// What the functions evaluated in the page use of its globals (the project compiles without the DOM lib).
type PageNode = { textContent: string | null; dataset: Record<string, string | undefined> }
declare const document: {
  querySelector(selector: string): (PageNode & { hasAttribute(name: string): boolean }) | null
  querySelectorAll(selector: string): Iterable<PageNode> & { length: number }
  documentElement: { scrollWidth: number }
}
declare const window: { innerWidth: number }
declare const localStorage: { getItem(key: string): string | null }

/** Texts of the messages the page shows, in order (pending ones excluded). */
function texts(page: Page): Promise<string[]> {
  return page.$$eval('#message-list .msg:not(.pending) .msg-text', (nodes) => nodes.map((node) => node.textContent ?? ''))
}

async function waitForTexts(page: Page, expected: string[]): Promise<void> {
  try {
    await page.waitForFunction(
      (want) => {
        const got = [...document.querySelectorAll('#message-list .msg:not(.pending) .msg-text')].map((node) => node.textContent)
        return JSON.stringify(got) === JSON.stringify(want)
      },
      expected,
      { timeout: waitMs },
    )
  } catch (error) {
    assert.deepEqual(await texts(page), expected, `page ${page.url()} never showed the expected messages`)
    throw error
  }
}

async function waitForTitle(page: Page, title: string): Promise<void> {
  await page.waitForFunction((want) => document.querySelector('#chat-title')?.textContent === want, title, { timeout: waitMs })
}

async function signIn(context: BrowserContext, url: string, name: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await page.locator('#signin-form').getByLabel('Display name').fill(name)
  await page.getByRole('button', { name: 'Start chatting' }).click()
  await waitForTitle(page, '#general')
  return page
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: /^Message / }).fill(text)
  await page.keyboard.press('Enter')
}

function userIdOf(page: Page): Promise<string> {
  return page.evaluate(() => {
    const token = localStorage.getItem('sprocket.chat.token') ?? ''
    return JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))).sub as string
  })
}

async function onlineUsers(page: Page): Promise<string[]> {
  return page.$$eval('#online [data-user]', (nodes) => nodes.map((node) => (node as unknown as PageNode).dataset['user'] ?? ''))
}

describe('the chat page at / in Chromium', { timeout: 120_000 }, () => {
  let dir: string
  let server: ChatServer
  let browser: Browser
  let annContext: BrowserContext
  let bobContext: BrowserContext
  let ann: Page
  let bob: Page
  let annId: string
  let bobId: string
  const dialogs: string[] = []
  const pageErrors: string[] = []
  const conversation: string[] = []

  async function signInByHttp(name: string): Promise<string> {
    const response = await fetch(`${server.url}/chat/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
    return ((await response.json()) as { token: string }).token
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sprocket-chat-e2e-'))
    server = await startChatServer(dir)
    browser = await chromium.launch(chromiumOptions)
    annContext = await browser.newContext({ viewport: { width: 1200, height: 760 } })
    bobContext = await browser.newContext({ viewport: { width: 1200, height: 760 } })
    for (const context of [annContext, bobContext]) {
      context.on('page', (page) => {
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message())
          void dialog.dismiss()
        })
        page.on('pageerror', (error) => pageErrors.push(error.message))
        page.on('console', (message) => {
          if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) pageErrors.push(message.text())
          if (process.env['CHAT_E2E_CONSOLE']) console.log(`[${message.type()}] ${message.text()}`)
        })
      })
    }
  })

  after(async () => {
    await browser?.close()
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('Ann creates a room, Bob joins it, and messages both ways appear in both pages in order', async () => {
    ann = await signIn(annContext, server.url, 'Ann Lee')
    bob = await signIn(bobContext, server.url, 'Bob')
    annId = await userIdOf(ann)
    bobId = await userIdOf(bob)

    await ann.getByRole('button', { name: 'Create a room' }).click()
    await ann.getByLabel('Room name').fill('Launch plans')
    await ann.getByRole('button', { name: 'Create', exact: true }).click()
    await waitForTitle(ann, '#Launch plans')

    await bob.getByRole('button', { name: 'Browse rooms' }).click()
    await bob.getByRole('button', { name: 'Join #Launch plans' }).click()
    await waitForTitle(bob, '#Launch plans')
    await ann.locator('#message-list .notice', { hasText: 'Bob joined' }).waitFor({ timeout: waitMs })

    for (const [page, text] of [[ann, 'Hi Bob, welcome to the launch room'], [bob, 'Thanks Ann!'], [ann, 'Shall we ship on Friday?'], [bob, 'Friday works.']] as const) {
      await send(page, text)
      conversation.push(text)
      await waitForTexts(page, conversation)
    }
    await waitForTexts(ann, conversation)
    await waitForTexts(bob, conversation)
    const authors = await bob.$$eval('#message-list .msg.head .msg-author', (nodes) => nodes.map((node) => node.textContent))
    assert.deepEqual(authors, ['Ann Lee', 'Bob', 'Ann Lee', 'Bob'])

    await bob.getByRole('textbox', { name: /^Message / }).pressSequentially('I am wri')
    await ann.waitForFunction(() => document.querySelector('#typing')?.textContent === 'Bob is typing…', null, { timeout: waitMs })
    await bob.getByRole('textbox', { name: /^Message / }).fill('')
  })

  it('shows who is online once per user, with a second tab for Ann', async () => {
    const annTab = await annContext.newPage()
    await annTab.goto(`${server.url}/#room/launch-plans`)
    await waitForTitle(annTab, '#Launch plans')
    await waitForTexts(annTab, conversation)
    for (const page of [ann, bob, annTab]) {
      await page.waitForFunction(() => document.querySelectorAll('#online [data-user]').length === 2, null, { timeout: waitMs })
      assert.deepEqual((await onlineUsers(page)).sort(), [annId, bobId].sort())
    }
    await annTab.close()
    // Ann still has a tab open: she stays online for Bob. Her next message travels the same
    // channel after any leave would have, so once Bob sees it, a wrong leave would have shown.
    await send(ann, 'Closed my second tab')
    conversation.push('Closed my second tab')
    await waitForTexts(bob, conversation)
    assert.deepEqual((await onlineUsers(bob)).sort(), [annId, bobId].sort())
    assert.equal(await bob.locator('#message-list .notice', { hasText: 'left' }).count(), 0)
  })

  it('Bob DMs Ann; she sees it arrive as unread; a third user cannot subscribe to their channel', async () => {
    await bob.getByRole('button', { name: 'New direct message' }).click()
    await bob.getByLabel('Find people').fill('Ann')
    await bob.getByRole('button', { name: 'Message Ann Lee' }).click()
    await waitForTitle(bob, 'Ann Lee')
    await send(bob, 'Psst, a private note for Ann')
    await waitForTexts(bob, ['Psst, a private note for Ann'])

    const dmButton = ann.locator('#dm-list .conv', { hasText: 'Bob' })
    await dmButton.waitFor({ timeout: waitMs })
    await ann.waitForFunction(() => document.querySelector('#dm-list .badge')?.textContent === '1', null, { timeout: waitMs })
    await dmButton.click()
    await waitForTitle(ann, 'Bob')
    await waitForTexts(ann, ['Psst, a private note for Ann'])
    await ann.waitForFunction(() => document.querySelector('#dm-list .badge') === null, null, { timeout: waitMs })

    const channel = await bob.locator('#dm-list .conv').first().getAttribute('data-channel')
    assert.equal(channel, `dm:#${[annId, bobId].sort().join(',')}`)

    const token = await signInByHttp('Cid')
    const cid = new Centrifuge(`${server.url.replace('http', 'ws')}/connection/websocket`, { token, websocket: WebSocket })
    try {
      const refused = new Promise<{ code: number }>((resolve) => {
        const sub = cid.newSubscription(channel ?? '')
        sub.on('unsubscribed', (ctx) => resolve(ctx))
        sub.subscribe()
      })
      cid.connect()
      assert.equal((await refused).code, 103)
      await assert.rejects(cid.rpc('chat.send', { channel, text: 'let me in' }), (error: { code: number }) => error.code === 103)
      // Rooms take messages only through chat.send: a client publish is refused by the namespace policy.
      await assert.rejects(cid.publish('rooms:launch-plans', { text: 'forged', user: annId }), (error: { code: number }) => error.code === 103)
    } finally {
      cid.disconnect()
    }
  })

  it('Bob goes offline, Ann sends three messages, Bob comes back and sees each once, in order', async () => {
    await ann.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    await waitForTitle(ann, '#Launch plans')
    await bob.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    await waitForTitle(bob, '#Launch plans')
    await waitForTexts(bob, conversation)

    await bobContext.setOffline(true)
    // Chromium keeps an open WebSocket through offline emulation: drop it from the server side
    // with a close code that lets the client reconnect.
    await server.dropConnections(bobId)
    await bob.waitForFunction(() => document.querySelector('#banner')?.textContent?.includes('Reconnecting'), null, { timeout: waitMs })

    for (const n of [1, 2, 3]) {
      const text = `While you were away ${n}`
      await send(ann, text)
      conversation.push(text)
    }
    await waitForTexts(ann, conversation)
    // Meanwhile Cid opens a DM with Bob: Bob's page learns of it when it is back.
    const cidToken = await signInByHttp('Cid Offline')
    const cid = new Centrifuge(`${server.url.replace('http', 'ws')}/connection/websocket`, { token: cidToken, websocket: WebSocket })
    cid.connect()
    await cid.rpc('chat.dm.open', { userId: bobId })
    cid.disconnect()

    await bobContext.setOffline(false)
    await waitForTexts(bob, conversation)
    await bob.locator('#dm-list .conv', { hasText: 'Cid Offline' }).waitFor({ timeout: waitMs })
    await bob.waitForFunction(() => document.querySelector('#me-status')?.textContent === 'Online', null, { timeout: waitMs })
  })

  it('shows markup as text: no dialog, no img element', async () => {
    const attack = '<img src=x onerror=alert(1)>'
    await send(ann, attack)
    conversation.push(attack)
    await waitForTexts(ann, conversation)
    await waitForTexts(bob, conversation)
    for (const page of [ann, bob]) assert.equal(await page.locator('#message-list img').count(), 0)
    assert.deepEqual(dialogs, [])
  })

  it('keeps the backlog on reload, and takes screenshots at desktop and phone width', async () => {
    await bob.reload()
    await waitForTitle(bob, '#Launch plans')
    await waitForTexts(bob, conversation)

    mkdirSync('test-results', { recursive: true })
    await ann.screenshot({ path: 'test-results/chat.png' })
    const phone = await annContext.newPage()
    await phone.setViewportSize({ width: 375, height: 720 })
    await phone.goto(`${server.url}/#room/launch-plans`)
    await waitForTexts(phone, conversation)
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`)
    await phone.screenshot({ path: 'test-results/chat-375.png' })
    await phone.emulateMedia({ reducedMotion: 'reduce' })
    await phone.getByRole('button', { name: 'Open menu' }).click()
    await phone.screenshot({ path: 'test-results/chat-375-menu.png' })
    await phone.close()
  })

  it('loads the last 50 messages of a long room, and older pages on scrolling up', async () => {
    // A backend fills #general through the server API: 120 messages, faster than any user may post.
    const older = Array.from({ length: 120 }, (_, i) => `Archive message ${i + 1}`)
    for (const text of older) await server.publish('rooms:general', { text, user: annId, name: 'Ann Lee', color: '#3b6ea5', ts: Date.now() })
    await bob.goto(`${server.url}/#room/general`)
    await bob.reload()
    await waitForTitle(bob, '#general')
    await waitForTexts(bob, older.slice(-50))
    await bob.locator('#messages').evaluate((box) => ((box as unknown as { scrollTop: number }).scrollTop = 0))
    await waitForTexts(bob, older.slice(-100))
    await bob.locator('#messages').evaluate((box) => ((box as unknown as { scrollTop: number }).scrollTop = 0))
    await waitForTexts(bob, older)
    await bob.waitForFunction(() => document.querySelector('#older')?.hasAttribute('hidden'), null, { timeout: waitMs })
    await bob.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    await waitForTexts(bob, conversation)
    // Read marks are saved half a second after reading; the next case reloads Bob's page.
    await bob.waitForFunction(() => document.querySelector('body')?.dataset['readMarks'] === 'saved', null, { timeout: waitMs })
  })

  it('counts unread messages per room and keeps read marks on the server', async () => {
    const badge = (page: Page, room: string) =>
      page.locator('#room-list .conv', { hasText: room }).locator('.badge').textContent({ timeout: waitMs })
    await ann.locator('#room-list .conv', { hasText: 'general' }).click()
    await waitForTitle(ann, '#general')
    await send(ann, 'Anyone in general?')
    await send(ann, 'Hello?')
    await ann.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    assert.equal(await badge(bob, 'general'), '2')
    await bob.reload()
    await waitForTitle(bob, '#Launch plans')
    assert.equal(await badge(bob, 'general'), '2')
    await bob.locator('#room-list .conv', { hasText: 'general' }).click()
    await bob.waitForFunction(() => document.querySelector('#room-list .badge') === null, null, { timeout: waitMs })
    await bob.waitForFunction(() => document.querySelector('body')?.dataset['readMarks'] === 'saved', null, { timeout: waitMs })
    await bob.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    await bob.reload()
    await waitForTitle(bob, '#Launch plans')
    await waitForTexts(bob, conversation)
    assert.equal(await bob.locator('#room-list .badge').count(), 0)
  })

  it('keeps a DM sent while its reader was away, and shows it as unread when they are back', async () => {
    for (const page of annContext.pages()) await page.close()
    await bob.locator('#dm-list .conv', { hasText: 'Ann Lee' }).click()
    await waitForTitle(bob, 'Ann Lee')
    await send(bob, 'Call me when you are back')
    await waitForTexts(bob, ['Psst, a private note for Ann', 'Call me when you are back'])

    ann = await annContext.newPage()
    await ann.goto(`${server.url}/#room/launch-plans`)
    await waitForTitle(ann, '#Launch plans')
    await ann.waitForFunction(() => document.querySelector('#dm-list .badge')?.textContent === '1', null, { timeout: waitMs })
    await ann.locator('#dm-list .conv').first().click()
    await waitForTexts(ann, ['Psst, a private note for Ann', 'Call me when you are back'])
    await ann.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    await waitForTexts(ann, conversation)
    await bob.locator('#room-list .conv', { hasText: 'Launch plans' }).click()
    await waitForTexts(bob, conversation)
  })

  it('keeps rooms, profiles and history across a server restart', async () => {
    await ann.getByRole('button', { name: 'Edit your profile' }).click()
    await ann.locator('#profile-dialog').getByLabel('Display name').fill('Ann Marie')
    await ann.getByRole('radio', { name: 'Teal' }).check()
    await ann.getByRole('button', { name: 'Save' }).click()
    // The change reaches Bob live, on messages already shown.
    await bob.waitForFunction(() => document.querySelector('#message-list .msg.head .msg-author')?.textContent === 'Ann Marie', null, { timeout: waitMs })

    const port = server.port
    await server.close()
    server = await startChatServer(dir, port)

    await bob.reload()
    await waitForTitle(bob, '#Launch plans')
    await waitForTexts(bob, conversation)
    const firstAuthor = await bob.locator('#message-list .msg.head .msg-author').first().textContent()
    assert.equal(firstAuthor, 'Ann Marie')
    const rooms = await bob.$$eval('#room-list .conv-name', (nodes) => nodes.map((node) => node.textContent))
    assert.deepEqual(rooms, ['general', 'Launch plans'])
    await bob.locator('#dm-list .conv', { hasText: 'Ann Marie' }).waitFor({ timeout: waitMs })

    // Ann's page was never reloaded: it reconnects on its own and keeps working.
    await ann.waitForFunction(() => document.querySelector('#me-status')?.textContent === 'Online', null, { timeout: 15_000 })
    await send(ann, 'Back after the restart')
    conversation.push('Back after the restart')
    await waitForTexts(bob, conversation)
    assert.deepEqual(pageErrors, [])
  })

  it('leaving a room takes it out of the sidebar for good; signing out returns to the sign-in card', async () => {
    await bob.getByRole('button', { name: 'Leave' }).click()
    await waitForTitle(bob, '#general')
    await bob.reload()
    await waitForTitle(bob, '#general')
    assert.deepEqual(await bob.$$eval('#room-list .conv-name', (nodes) => nodes.map((node) => node.textContent)), ['general'])
    await bob.getByRole('button', { name: 'Sign out' }).click()
    await bob.locator('#signin-form').getByLabel('Display name').waitFor({ timeout: waitMs })
    assert.deepEqual(pageErrors, [])
  })

  it('keeps the next message typed while the previous one is still on its way', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 } })
    try {
      const page = await context.newPage()
      // Every chat.send reaches the server 800 ms late, as on a slow link.
      await page.routeWebSocket(/\/connection\/websocket$/, (ws) => {
        const upstream = ws.connectToServer()
        ws.onMessage((message) => {
          if (String(message).includes('"chat.send"')) setTimeout(() => upstream.send(message), 800)
          else upstream.send(message)
        })
        upstream.onMessage((message) => ws.send(message))
      })
      await page.goto(server.url)
      await page.locator('#signin-form').getByLabel('Display name').fill('Dee Slow')
      await page.getByRole('button', { name: 'Start chatting' }).click()
      await waitForTitle(page, '#general')
      const composer = page.getByRole('textbox', { name: /^Message / })
      await send(page, 'Sent on a slow link')
      await composer.fill('Typed meanwhile')
      await page.waitForFunction(() => document.querySelector('#message-list .msg.pending') === null, null, { timeout: waitMs })
      assert.equal(await composer.inputValue(), 'Typed meanwhile', 'the earlier send cleared the next message')
      await page.keyboard.press('Enter')
      await page.waitForFunction(
        () => {
          const got = [...document.querySelectorAll('#message-list .msg:not(.pending) .msg-text')].map((node) => node.textContent)
          return got.slice(-2).join('|') === 'Sent on a slow link|Typed meanwhile'
        },
        null,
        { timeout: waitMs },
      )
    } finally {
      await context.close()
    }
  })
})
