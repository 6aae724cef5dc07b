// Reveal an evidence or action box only for the answers it belongs to.
//
// The server marks such a box with data-shown-for, the list of answers that call
// for it (the definition's shown_for). Without JavaScript every box is shown, with
// a hint saying which answers it is for. With it, a box is shown while one of its
// answers is chosen, and also whenever it holds text: typed text is never hidden,
// so nothing a person wrote can be sent unseen or forgotten. The server keeps the
// text of every box whatever the answer.

function chosenValues(block) {
  return answerInputs(block).filter((input) => input.checked).map((input) => input.value);
}

function holdsText(box) {
  return Array.from(box.querySelectorAll("textarea")).some((field) => field.value.trim() !== "");
}

export function shouldShow(shownFor, chosen, hasText) {
  return hasText || chosen.some((value) => shownFor.includes(value));
}

function answerInputs(block) {
  const name = `q-${block.dataset.question}`;
  return Array.from(block.querySelectorAll(`input[name="${CSS.escape(name)}"]`));
}

function update(block) {
  const chosen = chosenValues(block);
  for (const box of block.querySelectorAll(".app-follow-up[data-shown-for]")) {
    const shownFor = JSON.parse(box.dataset.shownFor);
    box.hidden = !shouldShow(shownFor, chosen, holdsText(box));
  }
}

// Each answer names the boxes it reveals (aria-controls, as GOV.UK's conditional reveal does; aria-expanded
// is not allowed on a radio or checkbox, and the boxes follow the answers, so they are read next).
function linkAnswersToBoxes(block) {
  const boxes = Array.from(block.querySelectorAll(".app-follow-up[data-shown-for]"));
  boxes.forEach((box, index) => {
    box.id = box.id || `q-${block.dataset.question}-reveal-${index + 1}`;
  });
  for (const input of answerInputs(block)) {
    const ids = boxes.filter((box) => JSON.parse(box.dataset.shownFor).includes(input.value)).map((box) => box.id);
    if (ids.length && !input.hasAttribute("aria-controls")) {
      input.setAttribute("aria-controls", ids.join(" "));
    }
  }
}

export function startFollowUpReveal(form) {
  if (!form) {
    return;
  }
  const blocks = Array.from(form.querySelectorAll(".app-question"))
    .filter((block) => block.querySelector(".app-follow-up[data-shown-for]"));
  if (!blocks.length) {
    return;
  }
  for (const block of blocks) {
    const name = `q-${block.dataset.question}`;
    linkAnswersToBoxes(block);
    update(block);
    // Only a change of answer moves boxes: emptying a box while typing never makes it vanish under the cursor.
    block.addEventListener("change", (event) => {
      if (event.target.name === name) {
        update(block);
      }
    });
  }
}
