-- Assert-style tests of lockstep.genserver (OTP gen_server semantics).
local ls = lockstep
local gs = ls.genserver

local echo = {
  init = function(arg) return "ok", arg end,
  handle_call = function(req, from, state)
    if req == "state" then return "reply", state, state end
    if req == "crash" then error("server crashed") end
    if req == "slow" then ls.sleep(100); return "reply", "late", state end
    if req == "defer" then
      ls.spawn(function() ls.sleep(10); gs.reply(from, "deferred") end)
      return "noreply", state
    end
    if req == "stop" then return "stop", "normal", "stopping", state end
    return "reply", req, state
  end,
  handle_cast = function(msg, state) return "noreply", msg end,
  handle_info = function(msg, state) return "noreply", { info = msg } end,
}

ls.test("call, cast and info", function()
  local s = gs.start(echo, 1)
  assert(gs.call(s, "state") == 1)
  gs.cast(s, 2)
  assert(gs.call(s, "state") == 2)
  ls.send(s, "hello")
  assert(gs.call(s, "state").info == "hello")
end)

ls.test("a call to a dead server raises noproc", function()
  local s = gs.start(echo, 1)
  gs.stop(s)
  local ok, err = pcall(gs.call, s, "state")
  assert(not ok and err == "noproc", tostring(err))
  local ok2, err2 = pcall(gs.call, "nobody", "state")
  assert(not ok2 and err2 == "noproc")
end)

ls.test("a server dying mid-call raises its reason", { allow_crashes = true }, function()
  local s = gs.start(echo, 1)
  local ok, err = pcall(gs.call, s, "crash")
  assert(not ok and tostring(err):find("server crashed"), tostring(err))
end)

ls.test("a timeout raises timeout and the late reply never arrives", function()
  local s = gs.start(echo, 1)
  local ok, err = pcall(gs.call, s, "slow", 10)
  assert(not ok and err == "timeout", tostring(err))
  ls.sleep(200) -- the server replies meanwhile
  assert(ls.receive(nil, 0) == nil, "the late reply leaked into the mailbox")
  assert(gs.call(s, "state") == 1)
end)

ls.test("deferred replies with noreply and reply", function()
  local s = gs.start(echo, 1)
  assert(gs.call(s, "defer") == "deferred")
end)

ls.test("stop runs terminate; a stop reply goes to the caller", function()
  local terminated
  local mod = {
    init = function() return "ok", "s" end,
    handle_call = echo.handle_call,
    terminate = function(reason, state) terminated = { reason, state } end,
  }
  local s = gs.start(mod)
  assert(gs.stop(s, "shutdown") == "ok")
  assert(terminated[1] == "shutdown" and terminated[2] == "s")
  local s2 = gs.start(mod)
  assert(gs.call(s2, "stop") == "stopping")
end)

ls.test("opts.name registers the server", function()
  local s = gs.start(echo, 7, { name = "echo" })
  assert(ls.whereis("echo") == s)
  assert(gs.call("echo", "state") == 7)
  local again, reason = gs.start(echo, 8, { name = "echo" })
  assert(again == nil and reason == "already_started")
end)

ls.test("init can refuse to start", function()
  local pid, reason = gs.start({ init = function() return "stop", "no config" end })
  assert(pid == nil and reason == "no config")
end)

ls.test("a linked server trapping exits terminates when its parent exits", function()
  local log = {}
  local parent = ls.self()
  ls.spawn(function()
    gs.start_link({
      init = function() ls.trap_exit(true); return "ok", 0 end,
      handle_call = echo.handle_call,
      terminate = function(reason) log.reason = reason; ls.send(parent, "terminated") end,
    })
    ls.exit("shutdown")
  end)
  ls.receive(function(m) return m == "terminated" end)
  assert(log.reason == "shutdown", tostring(log.reason))
end)
