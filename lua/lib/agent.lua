-- lockstep.agent: Elixir's Agent, a genserver holding one value (SPEC 5.6).
-- Functions travel by reference and run inside the agent process.
local ls = lockstep
local gs = ls.genserver
local M = {}

local mod = {
  name = "agent",
  init = function(fn) return "ok", fn() end,
  handle_call = function(req, from, state)
    local op, fn = req[1], req[2]
    if op == "get" then return "reply", fn(state), state end
    if op == "update" then return "reply", "ok", fn(state) end
    if op == "get_and_update" then
      local value, new_state = fn(state)
      return "reply", value, new_state
    end
  end,
  handle_cast = function(req, state) return "noreply", req[2](state) end,
}

-- start(fn) -> pid: the agent's state is fn()
function M.start(fn, opts) return gs.start(mod, fn, opts) end
function M.start_link(fn, opts) return gs.start_link(mod, fn, opts) end
function M.get(agent, fn, timeout) return gs.call(agent, { "get", fn }, timeout) end
function M.update(agent, fn, timeout) return gs.call(agent, { "update", fn }, timeout) end
-- fn(state) returns value, new_state
function M.get_and_update(agent, fn, timeout) return gs.call(agent, { "get_and_update", fn }, timeout) end
function M.cast(agent, fn) gs.cast(agent, { "cast", fn }) end
function M.stop(agent, reason) return gs.stop(agent, reason) end

ls.agent = M
