// "Add another finding" on the inspection form: copies the formset's empty form (a <template>),
// numbering it, and raises TOTAL_FORMS. Without JS the button stays hidden and "Record and add
// another finding" saves the inspection and opens a form for one more.
(function () {
  "use strict";
  var fieldset = document.getElementById("findings");
  var button = document.getElementById("add-finding");
  var template = document.getElementById("finding-template");
  if (!fieldset || !button || !template) return;
  var prefix = fieldset.dataset.prefix;
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var rows = document.getElementById("finding-rows");

  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild.querySelector("textarea, input");
    if (added) added.focus();
  });
})();
