/** Entry point of the Centrifugo JSON protocol: wire types, codes, decoder, encoder. */
export * from './client-command.js'
export * from './server-message.js'
export * from './codes.js'
export { decodeCommand, splitFrame } from './decode.js'
export * from './encode.js'
export * from './errors.js'
