"""Billing's event consumers: estates (with their default fee items), units, move-ins, one-off fees and
paid services (charge lines of completed work orders)."""

from services.billing.commands import directory

HANDLERS = {
    "intake.estate.registered": directory.register_estate,
    "intake.unit.registered": directory.project_unit,
    "intake.unit.updated": directory.project_unit,
    "intake.directory.imported": directory.project_import,
    "intake.resident.registered": directory.project_resident,
    "intake.procedure.completed": directory.project_move_in,
    "intake.procedure.fee_requested": directory.bill_procedure_fees,
    "dispatch.workorder.completed": directory.bill_paid_service,
}
