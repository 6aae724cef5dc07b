// Show and hide follow-up questions on a questionnaire page as answers change.
//
// Each question block may carry data-show-if, the definition's condition as JSON.
// Without JavaScript every follow-up is shown, with a hint saying when to answer
// it; the server leaves answers to questions that do not apply out of scoring and
// clears them when the return is submitted. Conditions on questions from other
// pages were already applied by the server, which only sends blocks that apply.

function valueOf(form, id, hidden) {
  if (hidden.has(id)) {
    return null;
  }
  const inputs = form.querySelectorAll(`[name="q-${CSS.escape(id)}"]`);
  if (!inputs.length) {
    return undefined;
  }
  const first = inputs[0];
  if (first.type === "radio") {
    const chosen = Array.from(inputs).find((input) => input.checked);
    return chosen ? chosen.value : null;
  }
  if (first.type === "checkbox") {
    const chosen = Array.from(inputs).filter((input) => input.checked).map((input) => input.value);
    return chosen.length ? chosen : null;
  }
  const text = first.value.trim();
  if (text === "") {
    return null;
  }
  return numberFrom(text);
}

// As the server reads numbers (app/questionnaires/answers.py): "92,600" and "92 600" are 92600, a decimal comma is not.
const GROUPED = /^[+-]?\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*(?:\.\d+)?$/;

export function numberFrom(text) {
  let digits = text.replace(/[\s\u00a0\u2009\u202f]+/g, " ").trim().replace(/\s*%$/, "");
  if (GROUPED.test(digits)) {
    digits = digits.replace(/[, ]/g, "");
  }
  const number = digits === "" || /[, ]/.test(digits) ? Number.NaN : Number(digits);
  return Number.isNaN(number) ? text : number;
}

function same(left, right) {
  return typeof left === "number" || typeof right === "number" ? Number(left) === Number(right) : left === right;
}

export function evaluate(condition, get) {
  if (condition.all) {
    return condition.all.every((part) => evaluate(part, get));
  }
  if (condition.any) {
    return condition.any.some((part) => evaluate(part, get));
  }
  const value = get(condition.question);
  if (value === undefined) {
    return true;
  }
  const answered = value !== null;
  if ("answered" in condition) {
    return answered === condition.answered;
  }
  if (!answered) {
    return false;
  }
  if ("equals" in condition) {
    return same(value, condition.equals);
  }
  if ("not_equals" in condition) {
    return !same(value, condition.not_equals);
  }
  if ("in" in condition) {
    return condition.in.some((option) => same(value, option));
  }
  if ("includes" in condition) {
    return Array.isArray(value) && value.includes(condition.includes);
  }
  return true;
}

export function startConditionalQuestions(form) {
  if (!form) {
    return;
  }
  const blocks = Array.from(form.querySelectorAll(".app-question"));
  if (!blocks.some((block) => block.dataset.showIf)) {
    return;
  }
  function update() {
    const hidden = new Set();
    for (const block of blocks) {
      if (!block.dataset.showIf) {
        continue;
      }
      const shown = evaluate(JSON.parse(block.dataset.showIf), (id) => valueOf(form, id, hidden));
      block.hidden = !shown;
      if (!shown) {
        hidden.add(block.dataset.question);
      }
    }
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}
