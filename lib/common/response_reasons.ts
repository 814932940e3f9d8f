/**
 * swob.RESPONSE_REASONS, the reason phrase and default-page explanation of every status Swift
 * answers with. The storage servers and the middleware that build swob responses share it.
 *
 * @module
 */

/** swob.RESPONSE_REASONS: status -> [title, explanation]. */
export const RESPONSE_REASONS: Readonly<Record<number, readonly [string, string]>> = {
  100: ["Continue", ""],
  200: ["OK", ""],
  201: ["Created", ""],
  202: ["Accepted", "The request is accepted for processing."],
  204: ["No Content", ""],
  206: ["Partial Content", ""],
  301: ["Moved Permanently", "The resource has moved permanently."],
  302: ["Found", "The resource has moved temporarily."],
  303: ["See Other", "The response to the request can be found under a different URI."],
  304: ["Not Modified", ""],
  307: ["Temporary Redirect", "The resource has moved temporarily."],
  400: [
    "Bad Request",
    "The server could not comply with the request since it is either malformed or otherwise " +
    "incorrect.",
  ],
  401: [
    "Unauthorized",
    "This server could not verify that you are authorized to access the document you requested.",
  ],
  402: ["Payment Required", "Access was denied for financial reasons."],
  403: ["Forbidden", "Access was denied to this resource."],
  404: ["Not Found", "The resource could not be found."],
  405: ["Method Not Allowed", "The method is not allowed for this resource."],
  406: ["Not Acceptable", "The resource is not available in a format acceptable to your browser."],
  408: [
    "Request Timeout",
    "The server has waited too long for the request to be sent by the client.",
  ],
  409: ["Conflict", "There was a conflict when trying to complete your request."],
  410: ["Gone", "This resource is no longer available."],
  411: ["Length Required", "Content-Length header required."],
  412: ["Precondition Failed", "A precondition for this request was not met."],
  413: ["Request Entity Too Large", "The body of your request was too large for this server."],
  414: ["Request URI Too Long", "The request URI was too long for this server."],
  415: ["Unsupported Media Type", "The request media type is not supported by this server."],
  416: ["Requested Range Not Satisfiable", "The Range requested is not available."],
  417: ["Expectation Failed", "Expectation failed."],
  422: ["Unprocessable Entity", "Unable to process the contained instructions"],
  499: ["Client Disconnect", "The client was disconnected during request."],
  500: [
    "Internal Error",
    "The server has either erred or is incapable of performing the requested operation.",
  ],
  501: ["Not Implemented", "The requested method is not implemented by this server."],
  502: ["Bad Gateway", "Bad gateway."],
  503: [
    "Service Unavailable",
    "The server is currently unavailable. Please try again at a later time.",
  ],
  504: ["Gateway Timeout", "A timeout has occurred speaking to a backend server."],
  507: [
    "Insufficient Storage",
    "There was not enough space to save the resource. Drive: %(drive)s",
  ],
};
