#include "pipeline/backtest/backtest_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace riskstream {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kChampionColor = "#1f6fb4";
constexpr const char* kChallengerColor = "#d9541e";
constexpr int kWidth = 720, kHeight = 270, kLeft = 56, kRight = 16, kTop = 30, kBottom = 40;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Text(const Json& value) {
  if (value.is_null()) return "–";
  if (value.is_string()) return Escape(value.get<std::string>());
  if (value.is_number_float()) return fmt::format("{:.3f}", value.get<double>());
  return value.dump();
}

struct Series {
  std::string name;
  const char* color;
  std::vector<double> y;
};

// Axes, a y grid with its labels, and the legend; the caller adds the marks.
std::string Frame(double y_max, const std::string& x_first, const std::string& x_last,
                  const std::string& x_title, const std::vector<Series>& series) {
  std::string svg = fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' font-size='11' "
      "font-family='sans-serif'>",
      kWidth, kHeight);
  int plot_h = kHeight - kTop - kBottom;
  for (int i = 0; i <= 4; ++i) {
    int y = kTop + plot_h - plot_h * i / 4;
    svg += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#ddd'/>", kLeft, y,
                       kWidth - kRight, y);
    double value = y_max * i / 4;
    std::string label = y_max >= 8 ? fmt::format("{:.0f}", value) : fmt::format("{:.2g}", value);
    svg += fmt::format("<text x='{}' y='{}' text-anchor='end'>{}</text>", kLeft - 4, y + 4, label);
  }
  svg += fmt::format("<text x='{}' y='{}'>{}</text>", kLeft, kHeight - 8, Escape(x_first));
  svg += fmt::format("<text x='{}' y='{}' text-anchor='end'>{}</text>", kWidth - kRight,
                     kHeight - 8, Escape(x_last));
  svg += fmt::format("<text x='{}' y='{}' text-anchor='middle'>{}</text>", kWidth / 2, kHeight - 8,
                     Escape(x_title));
  for (size_t s = 0; s < series.size(); ++s) {
    int x = kLeft + 8 + static_cast<int>(s) * 160;
    svg += fmt::format("<rect x='{}' y='4' width='10' height='10' fill='{}'/>", x, series[s].color);
    svg += fmt::format("<text x='{}' y='13'>{}</text>", x + 14, Escape(series[s].name));
  }
  return svg;
}

double MaxOf(const std::vector<Series>& series) {
  double m = 0;
  for (const auto& s : series) {
    for (double v : s.y) m = std::max(m, v);
  }
  return m > 0 ? m : 1;
}

std::string LineChart(const std::vector<Series>& series, const std::string& x_first,
                      const std::string& x_last, const std::string& x_title) {
  double y_max = MaxOf(series);
  std::string svg = Frame(y_max, x_first, x_last, x_title, series);
  int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  for (const auto& s : series) {
    std::string points;
    size_t n = s.y.size();
    for (size_t i = 0; i < n; ++i) {
      double x = kLeft + (n > 1 ? plot_w * static_cast<double>(i) / static_cast<double>(n - 1) : 0);
      double y = kTop + plot_h - plot_h * s.y[i] / y_max;
      points += fmt::format("{:.1f},{:.1f} ", x, y);
    }
    svg += fmt::format("<polyline fill='none' stroke='{}' stroke-width='2' points='{}'/>", s.color,
                       points);
  }
  return svg + "</svg>";
}

// Bar i stands for scores [from + i * width, from + (i + 1) * width).
std::string BarChart(const std::vector<Series>& series, int from, int width,
                     const std::string& x_title) {
  double y_max = MaxOf(series);
  size_t n = series.empty() ? 0 : series[0].y.size();
  std::string svg = Frame(y_max, std::to_string(from),
                          std::to_string(from + static_cast<int>(n) * width - 1), x_title, series);
  int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double slot = n > 0 ? static_cast<double>(plot_w) / static_cast<double>(n) : 0;
  double bar = slot / static_cast<double>(series.size() + 1);
  for (size_t s = 0; s < series.size(); ++s) {
    for (size_t i = 0; i < n; ++i) {
      double h = plot_h * series[s].y[i] / y_max;
      svg += fmt::format(
          "<rect x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{:.1f}' fill='{}'><title>score {}: "
          "{}</title></rect>",
          kLeft + slot * static_cast<double>(i) + bar * (static_cast<double>(s) + 0.5),
          kTop + plot_h - h, std::max(bar, 1.0), h, series[s].color,
          from + static_cast<int>(i) * width, series[s].y[i]);
    }
  }
  return svg + "</svg>";
}

std::string PrecisionRecallChart(const Json& curve) {
  std::vector<Series> legend = {{"champion", kChampionColor, {}},
                                {"challenger", kChallengerColor, {}}};
  std::string svg = Frame(1.0, "recall 0", "1", "recall (x) vs precision (y)", legend);
  int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  for (const auto& s : legend) {
    if (!curve.contains(s.name)) continue;
    std::string points;
    for (const auto& p : curve[s.name]) {
      if (p["precision"].is_null() || p["recall"].is_null()) continue;
      double x = kLeft + plot_w * p["recall"].get<double>();
      double y = kTop + plot_h - plot_h * p["precision"].get<double>();
      points += fmt::format("{:.1f},{:.1f} ", x, y);
      svg +=
          fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='3' fill='{}'><title>{}</title></circle>",
                      x, y, s.color, Text(p["flagged_when"]));
    }
    svg += fmt::format("<polyline fill='none' stroke='{}' stroke-width='2' points='{}'/>", s.color,
                       points);
  }
  return svg + "</svg>";
}

std::vector<double> Numbers(const Json& array) {
  std::vector<double> out;
  for (const auto& v : array) out.push_back(v.get<double>());
  return out;
}

std::string RuleTable(const Json& rules) {
  std::string html =
      "<table><tr><th>rule</th><th>severity</th><th>action</th><th>hits</th><th>labelled hits</th>"
      "<th>precision</th><th>recall</th></tr>";
  for (const auto& r : rules) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>",
        Text(r["rule_id"]), Text(r["severity"]), Text(r["action"]), Text(r["hits"]),
        Text(r["flagged_labelled"]), Text(r["precision"]), Text(r["recall"]));
  }
  return html + "</table>";
}

}  // namespace

std::string RenderBacktestHtml(const Json& report) {
  std::string html =
      "<!doctype html><html><head><meta charset='utf-8'><title>riskstream backtest</title><style>"
      "body{font-family:sans-serif;margin:24px;max-width:980px;color:#222}"
      "table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px "
      "8px;"
      "text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}"
      ".big{font-size:20px;font-weight:bold}.a{color:#1f6fb4}.b{color:#d9541e}"
      "</style></head><body>";
  const Json& overall = report["overall"];
  html += fmt::format(
      "<h1>Backtest: <span class='a'>{}</span> vs <span class='b'>{}</span></h1>"
      "<p class='big'>{} events, {} decisions changed; {} labelled ({} fraud).</p>"
      "<p>Overall (review or decline counts as flagged): champion precision {} recall {}; "
      "challenger precision {} recall {}.</p>",
      Text(report["champion_version"]), Text(report["challenger_version"]), Text(report["events"]),
      Text(report["decisions"]["changed"]), Text(report["labelled_events"]),
      Text(report["fraud_events"]), Text(overall["champion"]["precision"]),
      Text(overall["champion"]["recall"]), Text(overall["challenger"]["precision"]),
      Text(overall["challenger"]["recall"]));

  html +=
      "<h2>Decisions "
      "changed</h2><table><tr><th>champion</th><th>challenger</th><th>events</th></tr>";
  for (const auto& row : report["decisions"]["matrix"]) {
    bool changed = row["champion"] != row["challenger"];
    html += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td></tr>",
                        changed ? " style='background:#fff4e5'" : "", Text(row["champion"]),
                        Text(row["challenger"]), Text(row["events"]));
  }
  html += "</table>";
  if (!report["decisions"]["examples"].empty()) {
    html += "<p>Examples: ";
    for (const auto& e : report["decisions"]["examples"]) {
      html += fmt::format("<code>{}</code> {}&rarr;{}; ", Text(e["event_id"]), Text(e["from"]),
                          Text(e["to"]));
    }
    html += "</p>";
  }

  html += "<h2>Alert volume over event time</h2>";
  const Json& volume = report["alert_volume"];
  if (!volume.is_null()) {
    html += fmt::format("<p>Events with at least one rule fired, per {} from {}.</p>",
                        Text(volume["bucket_width"]), Text(volume["bucket_start"]));
    html +=
        LineChart({{"champion alerts", kChampionColor, Numbers(volume["champion_alerts"])},
                   {"challenger alerts", kChallengerColor, Numbers(volume["challenger_alerts"])}},
                  Text(volume["bucket_start"]), "", "event time");
  }

  html +=
      "<h2>Credit</h2><table><tr><th></th><th>limits granted</th><th>limit total</th>"
      "<th>freezes</th><th>credit reasons</th></tr>";
  for (const char* side : {"champion", "challenger"}) {
    const Json& credit = report["credit"][side];
    std::string reasons;
    for (const auto& [reason, count] : credit["credit_reasons"].items()) {
      reasons += fmt::format("{} {}; ", Escape(reason), Text(count));
    }
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", side,
                        Text(credit["limits_granted"]), Text(credit["limit_total"]),
                        Text(credit["freezes"]), reasons);
  }
  html += fmt::format("</table><p>Approved by both with a different limit: {}.</p>",
                      Text(report["credit"]["challenger"]["limit_changed"]));

  html += "<h2>Score distribution</h2>";
  for (bool champion : {true, false}) {
    const char* side = champion ? "champion" : "challenger";
    const Json& d = report["score_distribution"][side];
    html += fmt::format("<h3 class='{}'>{}</h3><p>Score: {}.</p>", champion ? "a" : "b", side,
                        Text(report["score"][side]));
    if (d["counts"].empty()) {
      html += "<p>No event has a score.</p>";
      continue;
    }
    html += BarChart({{side, champion ? kChampionColor : kChallengerColor, Numbers(d["counts"])}},
                     d["from"].get<int>(), d["width"].get<int>(), "score");
  }

  html += "<h2>Precision and recall</h2>";
  if (report["precision_recall_curve"].empty()) {
    html += "<p>No labelled fraud in the input: no precision or recall.</p>";
  } else {
    html +=
        "<p>Each point flags the labelled events whose score is past a threshold (see each "
        "side's score above; an event without a score is never flagged).</p>";
    html += PrecisionRecallChart(report["precision_recall_curve"]);
  }
  html += "<h2>Hits per rule</h2><h3 class='a'>Champion</h3>" +
          RuleTable(report["rules"]["champion"]) + "<h3 class='b'>Challenger</h3>" +
          RuleTable(report["rules"]["challenger"]);
  return html + "</body></html>\n";
}

}  // namespace riskstream
