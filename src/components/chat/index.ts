/** Public entry point of the chat app's server side. */
export { mountChat, chatDbFile, type MountChatOptions, type MountedChat } from './mount-chat.js'
export { chatOptionsSchema, type ChatOptions } from './chat-options.js'
export { chatNamespaces, withChatNamespaces } from './chat-namespaces.js'
export { ChatService, type ChatCaller, type ChatMessage, type ChatState } from './chat-service.js'
export { ChatStore, type Profile, type Room, type DirectChat, type ReadMark } from './chat-store.js'
export { registerChatRpc, chatMethods } from './chat-rpc.js'
export { loadDemoSecret, demoSecretFile } from './demo-secret.js'
export { dmChannel, roomChannel, personalChannel, lobbyChannel } from './chat-channels.js'
