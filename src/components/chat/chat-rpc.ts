/** Registers the chat's `chat.*` RPC methods on the native protocol's registry. */
import type { RpcContext, RpcRegistry } from '../centrifuge/rpc-registry.js'
import type { ChatCaller, ChatService } from './chat-service.js'

/** The chat's RPC method names, as pages call them with `centrifuge.rpc(method, data)`. */
export const chatMethods = [
  'chat.state',
  'chat.profile.get',
  'chat.profile.update',
  'chat.users.search',
  'chat.rooms.list',
  'chat.rooms.create',
  'chat.rooms.join',
  'chat.rooms.leave',
  'chat.dm.open',
  'chat.dm.list',
  'chat.send',
  'chat.read.mark',
] as const

/** Registers every chat method on `rpc`; returns a function that unregisters them. */
export function registerChatRpc(rpc: RpcRegistry, service: ChatService): () => void {
  const caller = (ctx: RpcContext): ChatCaller => ({ userId: ctx.userId, clientId: ctx.clientId, info: ctx.info })
  const handlers: Record<(typeof chatMethods)[number], (ctx: RpcContext, data: unknown) => unknown> = {
    'chat.state': (ctx) => service.state(caller(ctx)),
    'chat.profile.get': (ctx, data) => service.profileGet(caller(ctx), data),
    'chat.profile.update': (ctx, data) => service.profileUpdate(caller(ctx), data),
    'chat.users.search': (ctx, data) => service.usersSearch(caller(ctx), data),
    'chat.rooms.list': (ctx) => service.roomsList(caller(ctx)),
    'chat.rooms.create': (ctx, data) => service.roomsCreate(caller(ctx), data),
    'chat.rooms.join': (ctx, data) => service.roomsJoin(caller(ctx), data),
    'chat.rooms.leave': (ctx, data) => service.roomsLeave(caller(ctx), data),
    'chat.dm.open': (ctx, data) => service.dmOpen(caller(ctx), data),
    'chat.dm.list': (ctx) => service.dmList(caller(ctx)),
    'chat.send': (ctx, data) => service.send(caller(ctx), data),
    'chat.read.mark': (ctx, data) => service.readMark(caller(ctx), data),
  }
  const unregister = chatMethods.map((method) => rpc.register(method, handlers[method]))
  return () => unregister.forEach((fn) => fn())
}
