from django import forms

from apps.importexport.readers import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=f"CSV (comma, semicolon or tab separated; any encoding Excel writes) or Excel .xlsx, up to {MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into smaller files."
            )
        return upload
