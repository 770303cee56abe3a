from django import forms

from cases.forms import NamedErrors

from .checks import allowed_words, max_upload_bytes, size_words


class DocumentForm(NamedErrors, forms.Form):
    document_type = forms.ChoiceField(label="Document type")
    file = forms.FileField(label="File", allow_empty_file=True)

    def __init__(self, *args, document_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = [("", "Choose a type")] + [(t, t) for t in document_types]
        self.fields["file"].help_text = f"A {allowed_words()} file, up to {size_words(max_upload_bytes())}."
        self.fields["file"].error_messages["required"] = "Choose a file"


class DeleteForm(NamedErrors, forms.Form):
    reason = forms.CharField(label="Why it is deleted", max_length=500, widget=forms.Textarea,
                             help_text="Kept with the case's history, for example “Uploaded to the wrong case”.")
