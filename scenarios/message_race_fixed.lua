-- Fixed twin of message_race.lua: the client receives the reply selectively,
-- so a "connection_lost" notice that overtakes it waits in the mailbox.
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

ls.test("the client gets its reply before the connection closes", { strategy = "pos", iterations = 2000 }, function()
  local srv = ls.spawn(server)
  local conn = ls.spawn(connection, srv, ls.self())
  ls.send(conn, { key = "x", reply_to = ls.self() })
  local reply = ls.receive(function(m) return m[1] == "reply" end)
  assert(reply[2] == "x=42")
  local notice = ls.receive(function(m) return m[1] == "connection_lost" end)
  assert(notice)
end)
