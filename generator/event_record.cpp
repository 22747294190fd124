#include "generator/event_record.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace riskstream {
namespace {

// Writes one JSON object field by field, in the order of the calls. Numbers are written in fixed
// notation with a given number of decimals, so the text never depends on a float printer.
class JsonObjectWriter {
 public:
  JsonObjectWriter() { out_ = "{"; }

  void String(std::string_view name, std::string_view value) {
    Name(name);
    AppendJsonString(out_, value);
  }
  void Number(std::string_view name, double value, int decimals) {
    Name(name);
    char buffer[64];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    out_.append(buffer, result.ptr);
  }
  void Geo(const std::optional<GeoPoint>& geo) {
    if (!geo) return;
    Name("geo");
    out_ += "{";
    first_ = true;
    Number("lat", geo->lat, 5);
    Number("lon", geo->lon, 5);
    out_ += "}";
  }
  std::string Finish() && {
    out_ += "}";
    return std::move(out_);
  }

 private:
  void Name(std::string_view name) {
    if (!first_) out_ += ",";
    first_ = false;
    AppendJsonString(out_, name);
    out_ += ":";
  }

  std::string out_;
  bool first_ = true;
};

JsonObjectWriter Header(std::string_view event_id, TimestampMs event_time_ms,
                        std::string_view type) {
  JsonObjectWriter json;
  json.String("event_id", event_id);
  json.String("event_time", FormatRfc3339(event_time_ms));
  json.String("type", type);
  return json;
}

std::string ToJson(const ApplicationRecord& app, std::string_view event_id, TimestampMs time) {
  JsonObjectWriter json = Header(event_id, time, "application");
  json.String("applicant_id", app.applicant_id);
  json.String("account_id", app.account_id);
  json.String("id_number", app.id_number);
  json.String("phone", app.phone);
  json.String("device_id", app.device_id);
  json.String("ip", app.ip);
  json.Geo(app.geo);
  json.String("channel", ToString(app.channel));
  json.String("product", ToString(app.product));
  json.Number("requested_amount", app.requested_amount_cny, 2);
  json.Number("declared_income", app.declared_income_cny, 2);
  if (app.employer) json.String("employer", *app.employer);
  return std::move(json).Finish();
}

std::string ToJson(const TransactionRecord& tx, std::string_view event_id, TimestampMs time) {
  JsonObjectWriter json = Header(event_id, time, "transaction");
  json.String("account_id", tx.account_id);
  json.String("kind", ToString(tx.kind));
  json.Number("amount", tx.amount_cny, 2);
  json.String("currency", "CNY");
  if (tx.merchant_id) json.String("merchant_id", *tx.merchant_id);
  json.String("merchant_category", tx.merchant_category);
  json.String("device_id", tx.device_id);
  json.String("ip", tx.ip);
  json.Geo(tx.geo);
  return std::move(json).Finish();
}

}  // namespace

std::string_view ToString(Channel channel) {
  static constexpr std::string_view kNames[] = {"app", "web", "h5", "partner"};
  return kNames[static_cast<size_t>(channel)];
}

std::string_view ToString(Product product) {
  return product == Product::kCashLoan ? "cash_loan" : "installment";
}

std::string_view TopicOf(const EventDraft& draft) {
  return std::holds_alternative<ApplicationRecord>(draft.record) ? kApplicationsTopic
                                                                 : kTransactionsTopic;
}

const std::string& KeyOf(const EventDraft& draft) {
  if (const auto* app = std::get_if<ApplicationRecord>(&draft.record)) return app->applicant_id;
  return std::get<TransactionRecord>(draft.record).account_id;
}

std::string RenderJson(const EventDraft& draft, std::string_view event_id) {
  return std::visit(
      [&](const auto& record) { return ToJson(record, event_id, draft.event_time_ms); },
      draft.record);
}

std::string RenderLabelJson(std::string_view event_id, TimestampMs labelled_at_ms,
                            std::string_view labelled_event_id, LabelKind label) {
  JsonObjectWriter json = Header(event_id, labelled_at_ms, "label");
  json.String("labelled_event_id", labelled_event_id);
  json.String("label", ToString(label));
  json.String("labelled_at", FormatRfc3339(labelled_at_ms));
  return std::move(json).Finish();
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

double RoundCents(double amount) { return std::round(amount * 100) / 100; }

double RoundToStep(double amount, double step) {
  return std::max(step, std::round(amount / step) * step);
}

}  // namespace riskstream
