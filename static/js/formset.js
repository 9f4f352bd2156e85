// Adds a member row to the Django formset: clone the empty form and renumber __prefix__.
(function () {
  var button = document.getElementById("add-member");
  if (!button) return;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_members-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById("member-template").innerHTML.replace(/__prefix__/g, String(index));
    document.getElementById("members").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
  });
})();
