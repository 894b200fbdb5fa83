// What other modules may use of the realtime context: the socket event catalogue (webhooks
// carry the same events, with the same payload schemas).
export { SOCKET_EVENTS, type SocketEventName } from './presentation/socket-events';
