from django.urls import path

from casefiles import views

app_name = "casefiles"

urlpatterns = [
    path("offenders/<uuid:public_id>/notes/new/", views.note_add, name="note-add"),
    path(
        "offenders/<uuid:public_id>/notes/<uuid:note_id>/correct/",
        views.note_correct,
        name="note-correct",
    ),
    path(
        "offenders/<uuid:public_id>/documents/new/", views.offender_document_add, name="offender-document-add"
    ),
    path(
        "offenders/<uuid:public_id>/documents/<uuid:document_id>/",
        views.document_download,
        name="document-download",
    ),
    path(
        "placements/<uuid:public_id>/documents/new/",
        views.placement_document_add,
        name="placement-document-add",
    ),
]
