#include "engine/report/txn_page.h"

namespace lockstep {

extern const char* const kTxnPageHtml;

std::string render_txn_page(const std::string& file, const checker::txn::History& h,
                            const checker::txn::Report& r) {
  // '<' only occurs inside JSON strings: as \u003c it cannot end the script element.
  std::string data;
  for (char c : checker::txn::report_json(file, h, r)) {
    if (c == '<') {
      data += "\\u003c";
    } else {
      data += c;
    }
  }
  std::string page = kTxnPageHtml;
  const std::string marker = "/*LOCKSTEP_DATA*/";
  page.replace(page.find(marker), marker.size(), data);
  return page;
}

}  // namespace lockstep
