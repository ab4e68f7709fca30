-- lockstep.gen_statem: OTP's gen_statem in handle_event mode (SPEC 5.6).
--
-- mod.handle_event(event_type, content, state, data, from) with event_type
-- "call", "cast", "info" or "timeout" returns
--   "next_state", state, data, [actions] | "keep_state", data, [actions]
--   | "stop", reason
-- Actions: {"reply", from, value} and {"timeout", ms, content}, a state
-- timeout (cancelled when the state changes, replaced by a newer one).
local ls = lockstep
local gs = ls.genserver
local M = {}

local CALL, CAST, TIMEOUT = "$gen_call", "$gen_cast", "$gen_statem_timeout"

local function loop(mod, state, data)
  local timer, timer_ref = nil, nil
  local function cancel_timeout()
    if timer then
      ls.cancel_timer(timer)
      ls.abandon_ref(timer_ref)
      timer, timer_ref = nil, nil
    end
  end
  local function apply(actions)
    for _, a in ipairs(actions or {}) do
      if a[1] == "reply" then
        ls.send(a[2][1], { a[2][2], a[3] })
      elseif a[1] == "timeout" then
        cancel_timeout()
        timer_ref = ls.make_ref()
        timer = ls.send_after(ls.self(), { timer_ref, TIMEOUT, a[3] }, a[2])
      end
    end
  end
  while true do
    local msg = ls.receive()
    local tag = type(msg) == "table" and msg[1] or nil
    local r1, r2, r3, r4
    if tag == CALL then
      r1, r2, r3, r4 = mod.handle_event("call", msg[3], state, data, msg[2])
    elseif tag == CAST then
      r1, r2, r3, r4 = mod.handle_event("cast", msg[2], state, data)
    elseif tag == "$gen_stop" then
      ls.send(msg[3][1], { msg[3][2], "ok" })
      return msg[2]
    elseif type(msg) == "table" and msg[2] == TIMEOUT and msg[1] == timer_ref then
      timer, timer_ref = nil, nil
      r1, r2, r3, r4 = mod.handle_event("timeout", msg[3], state, data)
    else
      r1, r2, r3, r4 = mod.handle_event("info", msg, state, data)
    end
    if r1 == "next_state" then
      if r2 ~= state then cancel_timeout() end
      state, data = r2, r3
      apply(r4)
    elseif r1 == "keep_state" then
      data = r2
      apply(r3)
    elseif r1 == "stop" then
      return r2
    else
      error("gen_statem: handle_event returned " .. tostring(r1) .. ", expected next_state, keep_state or stop")
    end
  end
end

local function start(mod, arg, opts, link)
  opts = opts or {}
  local wrapper = {
    name = opts.name or mod.name or "gen_statem",
    init = function(a)
      local r1, r2, r3 = mod.init(a)
      if r1 ~= "ok" then return "stop", r2 end
      -- Run the state machine inside the genserver-started process.
      ls.send(ls.self(), { "$gen_statem_start", r2, r3 })
      return "ok", nil
    end,
    handle_info = function(msg)
      if type(msg) == "table" and msg[1] == "$gen_statem_start" then
        ls.exit(loop(mod, msg[2], msg[3]))
      end
      return "noreply", nil
    end,
  }
  if link then return gs.start_link(wrapper, arg, opts) end
  return gs.start(wrapper, arg, opts)
end

-- start(mod, arg, [opts]) -> pid, or nil and the reason
function M.start(mod, arg, opts) return start(mod, arg, opts, false) end
function M.start_link(mod, arg, opts) return start(mod, arg, opts, true) end
function M.call(server, request, timeout) return gs.call(server, request, timeout) end
function M.cast(server, msg) return gs.cast(server, msg) end
function M.stop(server, reason) return gs.stop(server, reason) end

ls.gen_statem = M
