-- A reply and a "connection_lost" notice race to one mailbox.
--
-- The client asks the server for a value over a connection process. The
-- connection forwards the request, then reports that it closed. Messages
-- from one sender arrive in order, but the server's reply and the
-- connection's notice come from different senders, so either may arrive
-- first. The client takes whatever comes first and assumes it is the reply.
-- The fixed twin waits for the reply selectively and treats the notice
-- separately.
local ls = lockstep

local function server()
  ls.label("server")
  local req = ls.receive()
  ls.send(req.reply_to, { "reply", req.key .. "=42" })
end

local function connection(srv, client)
  ls.label("connection")
  local req = ls.receive()
  ls.send(srv, req)
  ls.send(client, { "connection_lost" })
end

ls.test("the client gets its reply before the connection closes", { strategy = "pos", iterations = 200 }, function()
  local srv = ls.spawn(server)
  local conn = ls.spawn(connection, srv, ls.self())
  ls.send(conn, { key = "x", reply_to = ls.self() })
  local first = ls.receive()
  if first[1] ~= "reply" then
    error("expected the reply, got " .. first[1])
  end
end)
