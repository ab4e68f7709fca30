-- lockstep.genserver: OTP's gen_server on lockstep processes (SPEC 5.6).
--
-- A server is a process running `mod`'s callbacks. call() monitors the
-- server and tags the request with the monitor reference, as OTP does: a
-- dead server raises "noproc", a server dying mid-call raises its exit
-- reason, a timeout raises "timeout", and a reply arriving after the
-- timeout is dropped (the reference is abandoned), never left in the
-- caller's mailbox. Errors are raised as plain values (error(v, 0)) so
-- callers can compare them.
local ls = lockstep
local M = {}

local CALL, CAST, STOP = "$gen_call", "$gen_cast", "$gen_stop"

local function resolve(server)
  if type(server) == "string" then return ls.whereis(server) end
  return server
end

local function terminate(mod, reason, state)
  if mod.terminate then mod.terminate(reason, state) end
end

-- Runs the callbacks until a "stop": returns the exit reason.
local function loop(mod, state, parent)
  while true do
    local msg = ls.receive()
    local tag = type(msg) == "table" and msg[1] or nil
    if tag == CALL then
      local from = msg[2]
      local r1, r2, r3, r4 = mod.handle_call(msg[3], from, state)
      if r1 == "reply" then
        ls.send(from[1], { from[2], r2 })
        state = r3
      elseif r1 == "noreply" then
        state = r2
      elseif r1 == "stop" then
        terminate(mod, r2, r4)
        ls.send(from[1], { from[2], r3 })
        return r2
      else
        error("genserver: handle_call returned " .. tostring(r1) .. ", expected reply, noreply or stop")
      end
    elseif tag == CAST then
      local r1, r2, r3 = mod.handle_cast(msg[2], state)
      if r1 == "noreply" then
        state = r2
      elseif r1 == "stop" then
        terminate(mod, r2, r3)
        return r2
      else
        error("genserver: handle_cast returned " .. tostring(r1) .. ", expected noreply or stop")
      end
    elseif tag == STOP then
      terminate(mod, msg[2], state)
      ls.send(msg[3][1], { msg[3][2], "ok" })
      return msg[2]
    elseif tag == "EXIT" and msg[2] == parent then
      -- The parent of a linked server exited while the server traps exits.
      terminate(mod, msg[3], state)
      return msg[3]
    elseif mod.handle_info then
      local r1, r2, r3 = mod.handle_info(msg, state)
      if r1 == "noreply" then
        state = r2
      elseif r1 == "stop" then
        terminate(mod, r2, r3)
        return r2
      else
        error("genserver: handle_info returned " .. tostring(r1) .. ", expected noreply or stop")
      end
    end
    -- Without handle_info, other messages are dropped (OTP logs them).
  end
end

local function start(mod, arg, opts, link)
  opts = opts or {}
  local parent = ls.self()
  local ack = ls.make_ref()
  local body = function()
    ls.label(opts.name or opts.label or mod.name or "genserver")
    if opts.name then
      local ok = pcall(ls.register, opts.name, ls.self())
      if not ok then
        ls.send(parent, { ack, "error", "already_started" })
        return
      end
    end
    local r1, r2 = mod.init(arg)
    if r1 == "ok" then
      ls.send(parent, { ack, "ok" })
      ls.exit(loop(mod, r2, parent))
    elseif r1 == "stop" then
      ls.send(parent, { ack, "error", r2 })
      ls.exit(r2)
    else
      error("genserver: init returned " .. tostring(r1) .. ", expected ok or stop")
    end
  end
  local pid = link and ls.spawn_link(body) or ls.spawn(body)
  local mon = ls.monitor(pid)
  local m = ls.receive(function(m)
    return type(m) == "table" and (m[1] == ack or (m[1] == "DOWN" and m[2] == mon))
  end)
  ls.demonitor(mon, { flush = true })
  if m[1] == ack and m[2] == "ok" then return pid end
  if m[1] == ack then return nil, m[3] end
  return nil, m[4]
end

-- start(mod, arg, [opts]) -> pid, or nil and the reason init gave
function M.start(mod, arg, opts) return start(mod, arg, opts, false) end
function M.start_link(mod, arg, opts) return start(mod, arg, opts, true) end

-- call(server, request, [timeout_ms = 5000]) -> reply
function M.call(server, request, timeout)
  local pid = resolve(server)
  if pid == nil then error("noproc", 0) end
  local ref = ls.monitor(pid)
  ls.send(pid, { CALL, { ls.self(), ref }, request })
  local m = ls.receive(function(m)
    return type(m) == "table" and (m[1] == ref or (m[1] == "DOWN" and m[2] == ref))
  end, timeout or 5000)
  if m == nil then
    ls.demonitor(ref, { flush = true })
    ls.abandon_ref(ref)
    error("timeout", 0)
  end
  if m[1] == ref then
    ls.demonitor(ref, { flush = true })
    return m[2]
  end
  error(m[4], 0) -- the server went down: "noproc" if it already was, else its reason
end

function M.cast(server, msg)
  local pid = resolve(server)
  if pid ~= nil then ls.send(pid, { CAST, msg }) end
end

-- reply(from, value): the deferred reply to a call answered with "noreply".
function M.reply(from, value)
  ls.send(from[1], { from[2], value })
end

-- stop(server, [reason = "normal"]): stops the server and waits for it.
function M.stop(server, reason)
  local pid = resolve(server)
  if pid == nil then error("noproc", 0) end
  local ref = ls.monitor(pid)
  ls.send(pid, { STOP, reason or "normal", { ls.self(), ref } })
  local m = ls.receive(function(m)
    return type(m) == "table" and (m[1] == ref or (m[1] == "DOWN" and m[2] == ref))
  end)
  if m[1] == ref then
    ls.receive(function(d) return type(d) == "table" and d[1] == "DOWN" and d[2] == ref end)
    return "ok"
  end
  if m[4] == "noproc" then error("noproc", 0) end
  return "ok"
end

ls.genserver = M
