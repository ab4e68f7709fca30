// The page `lockstep check --html FILE` writes for a transactional check:
// one self-contained HTML file (no network), each anomaly's cycle drawn
// with its dependencies labelled, its explanation and its transactions.
#pragma once

#include <string>

#include "engine/checker/txn.h"

namespace lockstep {

std::string render_txn_page(const std::string& file, const checker::txn::History& h,
                            const checker::txn::Report& r);

}  // namespace lockstep
